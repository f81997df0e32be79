"""Sphinx configuration for the london-hotspots documentation.

Build with ``bash .ci/docs`` (what CI runs) or directly::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The build never touches the network: no intersphinx, no remote images, and the
user-guide pages execute against data shipped inside the repository.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

# The package must be installed (pip install -e ".[docs]"): the API reference imports
# it here, and the executed pages import it in their own kernels.
import hotspots

ROOT = Path(__file__).resolve().parents[1]

project = "london-hotspots"
author = "london-hotspots developers"
copyright = f"{date.today().year}, {author}"
release = hotspots.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinxarg.ext",
]
# Formulas: MathML written at build time (docs/_ext/mathml.py), drawn by the browser
# with no network; MathJax (which needs its CDN) only when latex2mathml is missing.
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
try:
    import latex2mathml  # noqa: F401
except ImportError:
    pass
else:
    extensions.append("mathml")
    html_math_renderer = "mathml"

exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]
html_static_path = ["_static"]

# -- Strictness -------------------------------------------------------------
# Every cross-reference must resolve (CI builds with -W, so a broken internal
# link or a See Also to a function that does not exist fails the build).
# Objects from other projects cannot be resolved without intersphinx (which
# needs the network), so references into them are allowed to stay plain text.
nitpicky = True
_OTHER_PROJECTS = (
    "numpy|np|pandas|pd|geopandas|gpd|shapely|libpysal|esda|folium|scipy|pyproj|numba|"
    "argparse|pathlib|os|collections|typing|datetime|logging|dataclasses|builtins"
)
nitpick_ignore_regex = [(r"py:.*", rf"({_OTHER_PROJECTS})(\..*)?")]

# -- API reference ----------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # numpydoc's Parameters/Returns carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Documented parameters must match the signature. A class that documents its fields
# under "Attributes" (the frozen dataclasses) is not asked to repeat them as parameters.
numpydoc_validation_checks = {"PR01", "PR02"}
numpydoc_validation_overrides = {"PR01": [r"(?m)^Attributes\n-{10}$"]}

# -- MyST and notebook execution --------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "deflist"]
myst_heading_anchors = 3
# `[text](#label)` resolves labels anywhere in the site; only these domains are tried
# (sphinx-argparse's domain cannot answer such lookups and would warn).
myst_ref_domains = ["std", "py"]
# Execute the user-guide pages at build time, reusing results while the page is
# unchanged (docs/_build/.jupyter_cache). A clean clone executes everything.
nb_execution_mode = os.environ.get("HOTSPOTS_DOCS_EXECUTE", "cache")
nb_execution_cache_path = str(ROOT / "docs" / "_build" / ".jupyter_cache")
nb_execution_timeout = 300
# A cell that fails is a warning with its traceback (an error under -W), so that one
# broken page does not hide the problems of the others in the same build.
nb_execution_raise_on_error = False
nb_execution_show_tb = True
nb_merge_streams = True
# Each page runs in a fresh temporary directory, so the maps and tables it writes land
# outside the tree; its data come from the package (boundaries.load, sample_path).
nb_execution_in_temp = True

# -- HTML -------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"london-hotspots {release}"
html_css_files = ["hotspots.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["attribution"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {
    page: []
    for page in (
        "index",
        "getting-started",
        "data",
        "cli",
        "performance",
        "references",
        "changelog",
    )
}
html_show_sourcelink = False
html_copy_source = False
