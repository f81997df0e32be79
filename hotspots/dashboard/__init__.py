"""One self-contained, offline dashboard page for several crime types and levels."""

from hotspots.dashboard._api import dashboard_page

__all__ = ["dashboard_page"]
