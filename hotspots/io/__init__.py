"""Reading crime data: data.police.uk street-level files, the Met's ward and borough
tables, any table with coordinates, the crime-category vocabulary and the load report.
"""

from hotspots.io._categories import crime_categories
from hotspots.io._met import read_met_crime, read_mps_crime
from hotspots.io._points import points_from_frame
from hotspots.io._police_uk import read_police_uk
from hotspots.io._report import LoadReport
from hotspots.io._samples import sample_path

__all__ = [
    "LoadReport",
    "crime_categories",
    "points_from_frame",
    "read_met_crime",
    "read_mps_crime",
    "read_police_uk",
    "sample_path",
]
