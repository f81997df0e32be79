"""Physical lines against CSV records: find the rows a stray double quote would swallow.

A CSV parser reads from an unbalanced ``"`` to the next ``"``, however many
lines lie between, so one damaged field can merge thousands of rows into one
(the parser then reports fewer rows read, and the load report still adds up).
This module splits the bytes into records the way a parser would, but accepts a
record spanning several physical lines only when it is a real quoted line break:
no line inside it is a complete record on its own. Otherwise the line with the
unbalanced quote is damaged: it is taken out (and named) and the lines after it
are read as the records they are.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Records:
    """The physical records of a CSV payload."""

    payload: bytes  # the input without its damaged lines
    records: int  # data records (header excluded, blank lines not counted), damaged ones included
    damaged: tuple[tuple[int, str], ...]  # (1-based line number, start of the line)


def split_records(data: bytes, n_fields: int) -> Records:
    """Count the data records of ``data`` and take out lines with an unbalanced quote.

    ``n_fields`` is the number of fields in a complete record (the header's).
    Fast when every line has an even number of quotes (the usual case): then
    every non-blank line is one record.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == ord("\n"))
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(raw)]))
    quotes = np.flatnonzero(raw == ord('"'))
    per_line = np.diff(np.searchsorted(quotes, np.concatenate(([0], stops))))
    length = stops - starts
    last = raw[np.maximum(stops - 1, 0)] if len(raw) else np.zeros(len(stops), dtype=np.uint8)
    blank = (length == 0) | ((length == 1) & (last == ord("\r")))
    odd = per_line % 2 == 1
    if not odd.any():
        return Records(data, int((~blank[1:]).sum()), ())
    lines = [data[a:b] for a, b in zip(starts, stops, strict=True)]
    return _walk(lines, odd, blank, n_fields)


HEADER_LIMIT = 1 << 20  # a header line longer than 1 MiB is not a CSV header


def first_line(data: bytes, file: object) -> bytes:
    """The header line, without copying the rest of the data; bounded to 1 MiB."""
    end = data.find(b"\n", 0, HEADER_LIMIT)
    if end < 0:
        if len(data) > HEADER_LIMIT:
            from hotspots._errors import InputError

            raise InputError(
                f"no line break in the first {HEADER_LIMIT:,} bytes: not a CSV file", file=file
            )
        end = len(data)
    return data[:end]


def _complete(line: bytes, n_fields: int) -> bool:
    """Whether one physical line is a whole record (balanced quotes, all fields)."""
    if line.count(b'"') % 2:
        return False
    text = line.decode("utf-8", errors="replace").rstrip("\r")
    return len(next(csv.reader([text]), [])) == n_fields


def _walk(lines: list[bytes], odd: np.ndarray, blank: np.ndarray, n_fields: int) -> Records:
    keep = np.ones(len(lines), dtype=bool)
    damaged: list[tuple[int, str]] = []
    records = 0
    i = 1  # line 0 is the header
    odd_after = np.flatnonzero(odd)
    while i < len(lines):
        if blank[i]:
            i += 1
            continue
        records += 1
        if not odd[i]:
            i += 1
            continue
        after = int(np.searchsorted(odd_after, i, side="right"))
        close = int(odd_after[after]) if after < len(odd_after) else None
        legit = close is not None and not any(
            _complete(lines[j], n_fields) for j in range(i + 1, close + 1)
        )
        if legit and close is not None:
            joined = b"\n".join(lines[i : close + 1]).decode("utf-8", errors="replace")
            legit = len(next(csv.reader([joined]), [])) == n_fields
        if legit and close is not None:
            i = close + 1
            continue
        keep[i] = False
        damaged.append((i + 1, lines[i][:80].decode("utf-8", errors="replace").rstrip("\r")))
        i += 1
    payload = b"\n".join(line for line, k in zip(lines, keep, strict=True) if k)
    return Records(payload, records, tuple(damaged))


def damaged_text(start: str) -> str:
    """What is wrong with a damaged line that starts with ``start``."""
    return f"unbalanced double quote (the row would swallow the rows after it): {start!r}"
