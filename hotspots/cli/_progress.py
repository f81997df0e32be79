"""Live progress lines on standard error for the command line, one per step of the work."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from typing import TextIO

# seconds between redraws of the running step's elapsed time
_TICK = 0.1


class Progress:
    """Show each step of a long job on a terminal, with its elapsed time while it runs.

    The library functions have no progress callbacks, so a step is shown as a
    line naming the work (e.g. "local Moran's I, 999 permutations") with a
    clock that ticks while it runs, then its total time. Nothing is written
    when ``enabled`` is false or ``stream`` is not a terminal (a pipe, a file,
    a test), so piped output stays clean.

    Parameters
    ----------
    enabled : bool
        False for ``--quiet``.
    stream : text stream, default sys.stderr
        Where to draw.

    Examples
    --------
    >>> import io
    >>> progress = Progress(enabled=True, stream=io.StringIO())  # not a terminal: silent
    >>> with progress.step("counting"):
    ...     pass
    >>> progress.stream.getvalue()
    ''
    """

    def __init__(self, *, enabled: bool, stream: TextIO | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(enabled and isatty is not None and isatty())

    @contextlib.contextmanager
    def step(self, text: str) -> Iterator[None]:
        """Show ``text`` with a running clock while the ``with`` block runs."""
        if not self.enabled:
            yield
            return
        start = time.perf_counter()
        done = threading.Event()

        def draw(suffix: str) -> None:
            self.stream.write(f"\r\033[K  {text} ... {suffix}")
            self.stream.flush()

        def tick() -> None:
            while not done.wait(_TICK):
                draw(f"{time.perf_counter() - start:.1f} s")

        clock = threading.Thread(target=tick, daemon=True)
        clock.start()
        try:
            yield
        except BaseException:
            done.set()
            clock.join()
            draw("failed\n")
            raise
        done.set()
        clock.join()
        draw(f"done in {time.perf_counter() - start:.1f} s\n")
