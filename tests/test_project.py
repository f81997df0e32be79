"""Project-level promises: the README's commands, CI and the public surface."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import boundaries
import hotspots

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text, flags=re.S)


def test_readme_opens_with_two_commands():
    commands = readme_commands()
    assert len(commands) >= 2
    install_and_demo, run_tests = commands[:2]
    assert "pip install ." in install_and_demo and "hotspots demo" in install_and_demo
    assert "pytest" in run_tests


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


@pytest.mark.parametrize("package", [hotspots, boundaries], ids=["hotspots", "boundaries"])
def test_public_names_resolve(package):
    assert package.__all__ == sorted(package.__all__, key=lambda n: (n != "__version__", n))
    for name in package.__all__:
        assert getattr(package, name) is not None, name


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        hotspots.no_such_thing  # noqa: B018


HEAVY = ("folium", "numba", "esda", "scipy.stats", "libpysal", "sklearn", "matplotlib")


FIRST_STATISTIC = (
    "areas = boundaries.load('boroughs'); "
    "areas['residents'] = boundaries.population('boroughs'); "
    "hotspots.local_moran(areas, 'residents', seed=1); "
    "hotspots.getis_ord(areas, 'residents', seed=1); "
)


@pytest.mark.parametrize(
    ("work", "allowed"),
    [("", ()), (FIRST_STATISTIC, ("numba",))],
    ids=["import", "first-statistic-default-graph"],
)
def test_imports_stay_light(work, allowed):
    """``import hotspots`` must not pull in the heavy modules (they load on first use), and
    the statistics on the default graph need only numba: no libpysal, scipy.stats, ...
    ``benchmarks/bench_startup.py`` measures the time."""
    code = (
        f"import sys, hotspots, boundaries; {work}"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ",".join(allowed)


def test_version_is_single_sourced():
    from importlib.metadata import version

    assert version("london-hotspots") == hotspots.__version__
