"""The documentation keeps up with the code: every public name is in the API reference
with a runnable example, and the user-guide pages are executable notebooks on shipped data.

Building the site itself (``sphinx-build -W``, executing every page) is ``.ci/docs``;
these checks are the cheap part that belongs in the test suite.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import boundaries
import hotspots

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
API_REFERENCE = DOCS / "api" / "index.rst"
EXECUTED_PAGES = sorted([DOCS / "getting-started.md", *(DOCS / "guide").glob("*.md")])
EXECUTED_PAGES = [page for page in EXECUTED_PAGES if page.name != "index.md"]

PUBLIC = [("hotspots", name) for name in hotspots.__all__ if name != "__version__"] + [
    ("boundaries", name) for name in boundaries.__all__ if name != "__version__"
]
PUBLIC_IDS = [f"{package}.{name}" for package, name in PUBLIC]


def documented_names() -> set[tuple[str, str]]:
    """(module, name) for every entry of an ``autosummary`` table in the API reference."""
    found: set[tuple[str, str]] = set()
    module = None
    in_table = False
    for line in API_REFERENCE.read_text(encoding="utf-8").splitlines():
        directive = re.match(r"\.\. (?:current)?module:: (\S+)", line)
        if directive:
            module = directive.group(1)
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and line and not line.startswith(" "):
            in_table = False
        elif in_table and line.strip() and not line.strip().startswith(":"):
            found.add((module, line.strip()))
    return found


def public_object(package: str, name: str):
    return getattr({"hotspots": hotspots, "boundaries": boundaries}[package], name)


def test_api_reference_lists_exactly_the_public_names():
    documented = documented_names()
    public = set(PUBLIC)
    assert sorted(public - documented) == [], "public but missing from docs/api/index.rst"
    assert sorted(documented - public) == [], "in docs/api/index.rst but not public"


@pytest.mark.parametrize(("package", "name"), PUBLIC, ids=PUBLIC_IDS)
def test_public_name_has_a_runnable_example(package, name):
    doc = inspect.getdoc(public_object(package, name)) or ""
    examples = re.search(r"^Examples\n-{8}\n(.*?)(?=^\S[^\n]*\n-{3,}\n|\Z)", doc, flags=re.M | re.S)
    assert examples is not None, f"{package}.{name} has no numpydoc Examples section"
    assert ">>> " in examples.group(1), f"{package}.{name}: Examples has no doctest (>>>)"


@pytest.mark.parametrize("page", EXECUTED_PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_guide_page_is_executed_at_build_time(page):
    text = page.read_text(encoding="utf-8")
    assert re.match(r"---\n(.*\n)*?file_format: mystnb\n", text), "needs MyST-NB front matter"
    assert "```{code-cell} python" in text or "```{code-cell} ipython3" in text


@pytest.mark.parametrize("page", EXECUTED_PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_guide_page_uses_only_shipped_data(page):
    """Pages run from a clean clone: no ../shared, no downloads."""
    cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    code = "\n".join(cells)
    assert "shared/" not in code
    assert not re.search(r"https?://|urlopen|requests\.|urlretrieve", code)
