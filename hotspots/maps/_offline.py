"""Make a folium map self-contained: Leaflet inlined from the installed XStatic-Leaflet package.

folium links Leaflet, jQuery, Bootstrap and Font Awesome from public CDNs,
so its pages stay blank on a closed network. The hotspots maps need Leaflet
only (areas, tooltips, the layer control and their own legends and panels),
so the CDN links are dropped and Leaflet's JavaScript and CSS are written
into the page from the files of the XStatic-Leaflet wheel (the same Leaflet
release folium targets). The images the CSS refers to become data URIs.
Nothing third-party is copied into this repository.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import folium

INSTALL_HINT = "pip install folium xstatic-leaflet  (or: pip install london-hotspots)"

_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
_CSS_IMAGE = re.compile(r"url\((images/[\w.-]+\.png)\)")


def _leaflet_dir() -> Path:
    try:
        from xstatic.pkg import leaflet
    except ImportError as err:
        raise ImportError(
            "hotspots maps embed Leaflet from the XStatic-Leaflet package, which is not "
            f"installed: {INSTALL_HINT}"
        ) from err
    return Path(leaflet.BASE_DIR)


def _data_uri(match: re.Match[str], base: Path) -> str:
    data = base64.b64encode((base / match.group(1)).read_bytes()).decode("ascii")
    return f"url(data:image/png;base64,{data})"


@functools.cache
def leaflet_assets() -> tuple[str, str]:
    """Leaflet's CSS (images inlined) and minified JavaScript, ready to inline.

    Returns
    -------
    css, js : str
    """
    base = _leaflet_dir()
    js = _SOURCE_MAP.sub("", (base / "leaflet.js").read_text(encoding="utf-8")).strip()
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    css = _CSS_IMAGE.sub(lambda m: _data_uri(m, base), css)
    for name, text, closing in (("leaflet.js", js, "</script"), ("leaflet.css", css, "</style")):
        if closing in text.lower() or "<!--" in text:
            # inlining would end the element early: refuse rather than write a broken page
            raise RuntimeError(f"{name} from XStatic-Leaflet cannot be inlined safely")
    return css, js


def make_offline(m: folium.Map) -> folium.Map:
    """Replace folium's CDN links on `m` with Leaflet written into the page.

    The change is made on the map instance only (folium's class-level lists
    are left alone), and returns `m`.
    """
    from hotspots.maps._elements import page_of, verbatim

    css, js = leaflet_assets()
    m.default_js = []
    m.default_css = []
    header = page_of(m).header
    header.add_child(verbatim(f"<style>{css}</style>"), name="leaflet_css", index=0)
    header.add_child(verbatim(f"<script>{js}</script>"), name="leaflet", index=1)
    return m
