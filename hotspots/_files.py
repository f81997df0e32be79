"""Atomic output files: written to a temporary file beside the output, then renamed.

A failure (a full disk, an interruption) leaves every existing output as it was,
and a half-written file never appears under an output's name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from hotspots._errors import InputError

__all__ = ["write_text", "write_together"]


def write_together(
    writers: Sequence[tuple[str | os.PathLike[str], Callable[[str], None]]],
) -> None:
    """Write every output atomically and together.

    Each writer is called with the path of a temporary file in its output's own
    folder; only when all have succeeded are the temporary files renamed over
    the outputs (an atomic replace on one file system). On any failure the
    temporary files are removed and no output is changed; an ``OSError`` becomes
    an :class:`hotspots.InputError` naming the output. The outputs get the
    permissions a new file gets (``0o666`` less the umask), not the private
    ones of a temporary file.
    """
    done: list[tuple[str, Path]] = []
    try:
        for path, write in writers:
            target = Path(path)
            folder = target.parent if str(target.parent) else Path(".")
            if not folder.is_dir():
                raise InputError(f"cannot write {target}: no such folder {str(folder)!r}")
            handle, temporary = tempfile.mkstemp(
                prefix=f".{target.stem}-", suffix=target.suffix, dir=folder
            )
            os.close(handle)
            done.append((temporary, target))
            if target.suffix.lower() == ".gpkg":
                os.unlink(temporary)  # the GeoPackage driver makes the file itself
            write(temporary)
            os.chmod(temporary, 0o666 & ~_umask())
    except BaseException as error:
        for temporary, _ in done:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        if isinstance(error, OSError):
            where = done[-1][1] if done else "the outputs"
            raise InputError(
                f"cannot write {where}: {error.strerror or error}; no output was changed"
            ) from None
        raise
    for temporary, target in done:
        os.replace(temporary, target)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`write_together`)."""

    def write(temporary: str) -> None:
        Path(temporary).write_text(text, encoding="utf-8")

    write_together([(path, write)])


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
