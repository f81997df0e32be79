"""Errors and warnings raised by london-hotspots."""

from __future__ import annotations


class HotspotsWarning(UserWarning):
    """A warning from london-hotspots (islands found, areas without data, ...).

    Filter it with ``warnings.simplefilter("ignore", hotspots.HotspotsWarning)``.

    Examples
    --------
    >>> import warnings
    >>> import hotspots
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("2 areas have no neighbours", hotspots.HotspotsWarning)
    >>> caught[0].category.__name__, str(caught[0].message)
    ('HotspotsWarning', '2 areas have no neighbours')
    """


class InputError(ValueError):
    """Input that cannot be used, with where the problem is.

    The message names the file, row, column and value when they are known, so
    that a user can find and fix the problem. The same facts are kept as
    attributes for programs that handle the error.

    Parameters
    ----------
    problem : str
        What is wrong, in words.
    file, row, column, value : optional
        Where the problem is. ``row`` is the 1-based line number in the file
        (the header is line 1) when the input is a file.

    Examples
    --------
    >>> err = InputError("not a number", file="a.csv", row=7, column="Longitude", value="x")
    >>> print(err)
    a.csv, row 7, column 'Longitude', value 'x': not a number
    """

    # the load reports up to the error, set (only) by the command line, which prints them
    reports: tuple[object, ...]

    def __init__(
        self,
        problem: str,
        *,
        file: object = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.value = value
        where = []
        if self.file is not None:
            where.append(self.file)
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        if value is not None:
            where.append(f"value {value!r}")
        super().__init__(f"{', '.join(where)}: {problem}" if where else problem)
