"""The load report: where every input row went."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

logger = logging.getLogger("hotspots")


@dataclass(frozen=True)
class LoadReport:
    """What happened to every row of an input.

    A reader or :func:`hotspots.aggregate` attaches one to its result as
    ``result.attrs["report"]``. Every row is either kept or dropped for exactly
    one reason, so ``rows_read == rows_kept + sum(dropped.values())`` always holds.

    Parameters
    ----------
    source : str
        What was read (a file, folder, archive or table name).
    rows_read : int
        Data rows found in the input (header lines are not rows). For the
        readers this is the number of records physically in the files,
        damaged ones included: a stray double quote that would make a CSV
        parser swallow the rows after it cannot make rows vanish from the
        count (the damaged row is dropped as ``"malformed row"``, or the Met
        reader raises).
    rows_kept : int
        Rows in the result.
    dropped : mapping of str to int
        Reason -> number of rows dropped for it. Filters the user asked for
        (``"month filtered out"``, ``"crime type filtered out"``) are counted
        here too, so that nothing disappears unaccounted.
    files : mapping of str to int
        Data rows read from each file, for inputs made of several files.
    notes : tuple of str
        Things worth knowing that did not drop rows: files skipped in an
        archive, a fallback text encoding, the first offending value for each
        reason, points assigned on an area boundary.
    unit : str
        What is counted: ``"rows"`` for incident files, ``"incidents"`` when a
        table of counts is aggregated.

    Examples
    --------
    >>> from hotspots import LoadReport
    >>> report = LoadReport("a.csv", rows_read=10, rows_kept=8, dropped={"no coordinates": 2})
    >>> report.rows_read == report.rows_kept + sum(report.dropped.values())
    True
    >>> print(report)
    a.csv: 10 rows read, 8 kept, 2 dropped
      no coordinates: 2
    """

    source: str
    rows_read: int
    rows_kept: int
    dropped: Mapping[str, int] = field(default_factory=dict)
    files: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    unit: str = "rows"

    def __post_init__(self) -> None:
        dropped = {reason: int(n) for reason, n in self.dropped.items() if n}
        object.__setattr__(self, "dropped", dropped)
        object.__setattr__(self, "files", dict(self.files))
        object.__setattr__(self, "notes", tuple(self.notes))
        if self.rows_read != self.rows_kept + sum(dropped.values()):
            raise ValueError(
                f"load report does not add up: {self.rows_read} read != "
                f"{self.rows_kept} kept + {sum(dropped.values())} dropped"
            )

    @property
    def rows_dropped(self) -> int:
        """Rows dropped for any reason."""
        return self.rows_read - self.rows_kept

    def __str__(self) -> str:
        unit = self.unit
        lines = [
            f"{self.source}: {self.rows_read:,} {unit} read, {self.rows_kept:,} kept, "
            f"{self.rows_dropped:,} dropped"
        ]
        lines += [f"  {reason}: {n:,}" for reason, n in self.dropped.items()]
        if len(self.files) > 1:
            lines.append(f"  from {len(self.files)} files")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """The report as a plain, JSON-able dict."""
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "dropped": dict(self.dropped),
            "files": dict(self.files),
            "notes": list(self.notes),
            "unit": self.unit,
        }


def log_report(report: LoadReport) -> None:
    """Show ``report`` through the ``hotspots`` logger.

    At WARNING level when rows were dropped for a reason other than a filter
    the user asked for (so that it shows without any logging set up), else INFO.
    """
    problems = any(not reason.endswith("filtered out") for reason in report.dropped)
    level = logging.WARNING if problems else logging.INFO
    logger.log(level, "%s", report)
