"""Argument types of the ``hotspots`` commands: each turns one option's text into a value
or an ``argparse.ArgumentTypeError`` that argparse prints as one line."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def permutations(text: str) -> int | str:
    """``adaptive`` or a whole number from 1 to 10,000,000."""
    if text == "adaptive":
        return text
    value = positive_int(text)
    if value > 10_000_000:
        raise argparse.ArgumentTypeError(f"at most 10,000,000 (or 'adaptive'), not {value:,}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def ages(text: str) -> tuple[int, int | None]:
    """'10-24' -> (10, 24); '65+' -> (65, None)."""
    try:
        if text.endswith("+"):
            return int(text[:-1]), None
        first, last = text.split("-")
        return int(first), int(last)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"write an age range as FIRST-LAST (10-24) or FIRST+ (65+), not {text!r}"
        ) from None


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def probability(text: str) -> float:
    value = positive_float(text)
    if not value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {text}")
    return value


def suffix_path(suffixes: tuple[str, ...]) -> Callable[[str], str]:
    def check(text: str) -> str:
        if Path(text).suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(f"{text!r} must end in {' or '.join(suffixes)}")
        return text

    return check


def check_writable(path: str) -> None:
    """Fail before the work, not after it, when an output cannot be written."""
    from hotspots.cli._outputs import check_writable

    check_writable(path)
