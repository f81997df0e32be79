"""Real crime data shipped with the package, for the demo, the docs and first experiments.

The files are copies of the published releases, compressed but otherwise unchanged
(``scripts/prepare_data.py`` in the source repository made them; ``_data/manifest.json``
records their checksums and those of the original files).
"""

from __future__ import annotations

import pathlib
import tempfile
from importlib import resources

__all__ = ["sample_path"]

# name -> file inside hotspots/_data
_SAMPLES: dict[str, str] = {
    "mps-ward-crime": "mps-ward-crime-202307-202506.csv.gz",
    "police-uk-burglary": "police-uk-burglary-2024-12-2025-02.zip",
}


def sample_path(name: str) -> pathlib.Path:
    """Path of a shipped sample of real London crime data.

    Parameters
    ----------
    name : str
        ``"mps-ward-crime"`` or ``"police-uk-burglary"``.

    Returns
    -------
    pathlib.Path
        Path of the file inside the installed package; read it, do not write to it.

    Raises
    ------
    ValueError
        If `name` is not a shipped sample; the message lists the valid names.

    Notes
    -----
    ``"mps-ward-crime"``
        Metropolitan Police Service recorded offences per ward per month, by major and
        minor category, for the 24 months 2023-07 to 2025-06: the London Datastore
        table *MPS Ward Level Crime (most recent 24 months)*, columns ``MajorText,
        MinorText, WardName, WardCode, LookUp_BoroughName, 202307 … 202506``, gzipped.
        Wards are the set in force since May 2022 (``boundaries.load("wards")``). The
        Met does not police the City of London: the City has no rows (no data, not
        zero). Heathrow Villages ward appears under the pseudo-borough "Aviation
        Security (SO18)". Source: https://data.london.gov.uk/dataset/recorded_crime_summary.
        Licence: Open Government Licence (the Datastore lists v2.0); © Metropolitan
        Police Service.
    ``"police-uk-burglary"``
        A zip archive laid out as data.police.uk serves its downloads
        (``YYYY-MM/YYYY-MM-<force>-street.csv``): Metropolitan Police Service
        street-level **burglary** records for 2024-12, 2025-01 and 2025-02 (3,739 to
        4,761 a month; the Met files hold burglary only), and the City of London
        Police street-level records of **all** crime types for 2024-12 (766 records,
        89 without coordinates). Coordinates are snapped to anonymous map points that
        many records share; records carry 2021 LSOA codes. Source:
        https://data.police.uk/data/. Licence: Open Government Licence v3.0.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspots import sample_path
    >>> path = sample_path("mps-ward-crime")
    >>> path.name
    'mps-ward-crime-202307-202506.csv.gz'
    >>> table = pd.read_csv(path)
    >>> table.columns[:5].tolist()
    ['MajorText', 'MinorText', 'WardName', 'WardCode', 'LookUp_BoroughName']
    >>> import zipfile
    >>> with zipfile.ZipFile(sample_path("police-uk-burglary")) as archive:
    ...     archive.namelist()[0]
    '2024-12/2024-12-city-of-london-street.csv'
    """
    try:
        filename = _SAMPLES[name]
    except KeyError:
        valid = ", ".join(repr(sample) for sample in _SAMPLES)
        raise ValueError(f"unknown sample {name!r}; valid samples are {valid}") from None
    resource = resources.files("hotspots") / "_data" / filename
    if isinstance(resource, pathlib.Path):
        return resource  # an installed package directory: the usual case
    # A zip-imported package has no file on disk: copy the sample out.
    target = pathlib.Path(tempfile.gettempdir()) / "london-hotspots-samples" / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(resource.read_bytes())
    return target
