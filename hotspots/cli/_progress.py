"""Live progress lines on standard error for the command line, one per step of the work."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TextIO

# seconds between redraws of the running step's elapsed time
_TICK = 0.1
# characters of the bar between its brackets
_BAR_WIDTH = 24


def bar_text(text: str, files_done: int, files_total: int, rows: int, elapsed: float) -> str:
    """One line of a reading bar: files done of all, rows read, rows per second and ETA.

    The ETA assumes the files left take as long each as the files done so far.

    Examples
    --------
    >>> bar_text("reading", 1, 4, 250_000, 2.0)
    'reading [######------------------] 1/4 files, 250,000 rows, 125,000 rows/s, ETA 6 s'
    >>> bar_text("reading", 0, 4, 0, 0.0)
    'reading [------------------------] 0/4 files, 0 rows, ETA ...'
    """
    fraction = files_done / files_total if files_total else 1.0
    filled = min(_BAR_WIDTH, round(_BAR_WIDTH * fraction))
    line = (
        f"{text} [{'#' * filled}{'-' * (_BAR_WIDTH - filled)}] "
        f"{files_done}/{files_total} files, {rows:,} rows"
    )
    if elapsed > 0 and rows:
        line += f", {rows / elapsed:,.0f} rows/s"
    if files_done and elapsed > 0:
        line += f", ETA {_duration(elapsed * (files_total - files_done) / files_done)}"
    else:
        line += ", ETA ..."
    return line


def _duration(seconds: float) -> str:
    """'42 s', '3 min 05 s', '1 h 02 min'."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    """Show each step of a long job on a terminal, with its elapsed time while it runs.

    Most library functions have no progress callbacks, so a step is shown as a
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

    def __init__(
        self,
        *,
        enabled: bool,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(enabled and isatty is not None and isatty())
        self.clock = clock

    @contextlib.contextmanager
    def files(self, text: str) -> Iterator[Callable[[int, int, int], None] | None]:
        """A bar for reading files: yields the ``progress`` callback of
        :func:`hotspots.count_police_uk` (None when nothing is drawn)."""
        if not self.enabled:
            yield None
            return
        start = self.clock()

        def draw(files_done: int, files_total: int, rows: int) -> None:
            line = bar_text(text, files_done, files_total, rows, self.clock() - start)
            self.stream.write(f"\r\033[K  {line}")
            self.stream.flush()

        try:
            yield draw
        except BaseException:
            self.stream.write(" ... failed\n")
            raise
        self.stream.write(f"\r\033[K  {text} ... done in {self.clock() - start:.1f} s\n")
        self.stream.flush()

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
