"""The import graph follows the layers declared in docs/architecture.md.

Every ``import`` of every module of ``hotspots`` and ``boundaries`` (inside functions and
under ``TYPE_CHECKING`` too) is read with :mod:`ast`; a module may import only from its
own layer or a lower one. The layers are read from the table of the architecture page,
so the page and the code cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "architecture.md"
FACADE = "hotspots"  # hotspots/__init__.py: above every layer


def declared_layers() -> dict[str, int]:
    """``{"io": 1, "_errors": 0, "boundaries": 0, ...}`` from the page's table."""
    layers: dict[str, int] = {}
    for number, names in re.findall(r"^\| (\d+) \| ([^|]+) \|", PAGE.read_text("utf-8"), re.M):
        for name in re.findall(r"`([\w.]+)`", names):
            layers[name] = int(number)
    return layers


def unit(module: str) -> str:
    """The layer unit of a dotted module: its subpackage or top-level private module."""
    parts = module.split(".")
    if parts[0] == "boundaries":
        return "boundaries"
    return parts[1] if len(parts) > 1 else FACADE


def imports() -> list[tuple[str, int, str]]:
    """``(importing module, line, imported module)`` for every import of our packages."""
    found = []
    for package in ("hotspots", "boundaries"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    targets = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    if node.level:  # relative: resolve against this module's package
                        base = parts[: len(parts) - node.level]
                        targets = [".".join([*base, node.module or ""]).rstrip(".")]
                    else:
                        targets = [node.module or ""]
                else:
                    continue
                for target in targets:
                    if target.split(".")[0] in ("hotspots", "boundaries"):
                        found.append((module, node.lineno, target))
    return found


LAYERS = declared_layers()
IMPORTS = imports()


def test_the_page_declares_the_layers():
    assert LAYERS["_errors"] == 0
    assert LAYERS["io"] < LAYERS["aggregation"] < LAYERS["weights"] < LAYERS["stats"]
    assert LAYERS["stats"] < LAYERS["spacetime"] < LAYERS["maps"] < LAYERS["cli"]


def test_every_subpackage_and_module_has_a_layer():
    units = {unit(module) for module, _, _ in IMPORTS} | {
        path.stem
        for path in (ROOT / "hotspots").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    missing = sorted(units - set(LAYERS) - {FACADE})
    assert missing == [], f"give these a layer in docs/architecture.md: {missing}"


def upward(module: str, target: str) -> str | None:
    """Why importing ``target`` from ``module`` breaks the layering, or None."""
    here, there = unit(module), unit(target)
    if here == FACADE:
        return None  # the facade re-exports every layer
    if there == FACADE:
        return None if here == "cli" else "imports the facade `hotspots`; only cli may"
    if LAYERS[there] > LAYERS[here]:
        return f"layer {LAYERS[there]} ({there}) is above layer {LAYERS[here]} ({here})"
    return None


def test_no_module_imports_from_a_layer_above():
    wrong = [
        f"{module}:{line} imports {target}: {why}"
        for module, line, target in IMPORTS
        if (why := upward(module, target))
    ]
    assert wrong == [], "see docs/architecture.md:\n" + "\n".join(wrong)


def test_a_violation_would_be_seen():
    """The check is not vacuous: the known downward imports are among those read."""
    pairs = {(unit(m), unit(t)) for m, _, t in IMPORTS}
    assert ("stats", "weights") in pairs
    assert ("spacetime", "stats") in pairs
    assert ("aggregation", "io") in pairs
    assert upward("hotspots.weights._build", "hotspots.maps._api") is not None
    assert upward("hotspots.stats._local", "hotspots") is not None
    assert upward("hotspots.cli._pipeline", "hotspots") is None
