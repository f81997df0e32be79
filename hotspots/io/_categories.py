"""One crime-category vocabulary for police.uk crime types and the Met's categories.

Names are matched case- and spacing-insensitively: "Possession of weapons",
"POSSESSION OF WEAPONS" and "possession  of weapons" are the same category.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from hotspots._errors import InputError

# data.police.uk street-level crime types (https://data.police.uk/about/#columns)
POLICE_UK_CRIME_TYPES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)

# Met (London Datastore) major category -> minor categories, as written in the
# ward table (2023-) and the borough tables (2010-2023). Historic names that
# differ only in case or spacing from a current one are listed once.
MET_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arson and Criminal Damage": ("Arson", "Criminal Damage"),
    "Burglary": (
        "Burglary - Residential",
        "Burglary Business and Community",
        "Burglary in a Dwelling",
        "Burglary Non-dwelling",
        "Domestic Burglary",
    ),
    "Drug Offences": ("Possession of Drugs", "Trafficking of Drugs", "Drug Trafficking"),
    "Fraud and Forgery": ("Fraud and Forgery",),
    "Historical Fraud and Forgery": ("Historical Fraud and Forgery",),
    "Miscellaneous Crimes Against Society": (
        "Misc Crimes Against Society",
        "Absconding from Lawful Custody",
        "Aiding Suicide",
        "Bail Offences",
        "Bigamy",
        "Concealing an Infant Death Close to Birth",
        "Dangerous Driving",
        "Disclosure, Obstruction, False or Misleading State",
        "Exploitation of Prostitution",
        "Forgery or Use of Drug Prescription",
        "Fraud or Forgery Associated with Driver Records",
        "Going Equipped for Stealing",
        "Handling Stolen Goods",
        "Making, Supplying or Possessing Articles for use i",
        "Obscene Publications",
        "Offender Management Act",
        "Other Forgery",
        "Other Notifiable Offences",
        "Perjury",
        "Perverting Course of Justice",
        "Possession of False Documents",
        "Profitting From or Concealing Proceeds of Crime",
        "Soliciting for Prostitution",
        "Threat or Possession With Intent to Commit Crimina",
        "Wildlife Crime",
    ),
    "NFIB Fraud": ("NFIB",),
    "Possession of Weapons": (
        "Possession of Weapons",
        "Other Firearm Offences",
        "Other Knife Offences",
        "Possession of Article with Blade or Point",
        "Possession of Firearm with Intent",
        "Possession of Firearms Offences",
        "Possession of Other Weapon",
    ),
    "Public Order Offences": (
        "Other Offences Public Order",
        "Public Fear Alarm or Distress",
        "Race or Religious Agg Public Fear",
        "Violent Disorder",
        "Other Offences Against the State, or Public Order",
        "Racially or Religiously Aggravated Public Fear, Al",
    ),
    "Robbery": ("Robbery of Business Property", "Robbery of Personal Property"),
    "Sexual Offences": ("Other Sexual Offences", "Rape"),
    "Theft": (
        "Bicycle Theft",
        "Other Theft",
        "Shoplifting",
        "Theft from the Person",
        "Theft from Person",
    ),
    "Vehicle Offences": (
        "Aggravated Vehicle Taking",
        "Interfering with a Motor Vehicle",
        "Theft from a Vehicle",
        "Theft or Unauth Taking of a Motor Veh",
        "Theft from a Motor Vehicle",
        "Theft or Taking of a Motor Vehicle",
    ),
    "Violence Against the Person": (
        "Homicide",
        "Violence with Injury",
        "Violence without Injury",
    ),
}


def category_key(name: str) -> str:
    """The matching key of a category name: case and spacing removed."""
    return "".join(str(name).split()).casefold()


def category_mask(values: pd.Series, keys: frozenset[str]) -> np.ndarray:
    """Which of ``values`` are one of the categories ``keys``; missing values are not.

    Each distinct value is matched once (fast for categoricals).
    """
    codes, uniques = pd.factorize(values)  # a missing value has code -1
    hits = pd.Index(uniques, dtype=object).map(category_key).isin(keys)
    return np.append(hits, False)[codes]


def crime_categories(source: str | None = None) -> pd.DataFrame:
    """The crime-category vocabulary shared by every reader and filter.

    Parameters
    ----------
    source : {"police.uk", "met"}, optional
        Only the categories of one source. Default: both.

    Returns
    -------
    pandas.DataFrame
        One row per category: ``source`` ("police.uk" or "met"), ``level``
        ("crime type" for police.uk, "major" or "minor" for the Met), ``name``
        and ``major`` (the Met major category of a minor one, else missing).
        Names are matched case- and spacing-insensitively wherever a
        ``crime_types=`` filter is accepted.

    Examples
    --------
    >>> from hotspots import crime_categories
    >>> cats = crime_categories()
    >>> cats.groupby(["source", "level"]).size().to_dict()
    {('met', 'major'): 14, ('met', 'minor'): 69, ('police.uk', 'crime type'): 14}
    >>> crime_categories("police.uk")["name"].head(3).tolist()
    ['Anti-social behaviour', 'Bicycle theft', 'Burglary']
    """
    rows: list[tuple[str, str, str, str | None]] = [
        ("police.uk", "crime type", name, None) for name in POLICE_UK_CRIME_TYPES
    ]
    rows += [("met", "major", major, None) for major in MET_CATEGORIES]
    rows += [
        ("met", "minor", minor, major)
        for major, minors in MET_CATEGORIES.items()
        for minor in minors
    ]
    table = pd.DataFrame(rows, columns=["source", "level", "name", "major"])
    if source is None:
        return table
    if source not in ("police.uk", "met"):
        raise InputError("unknown source; valid sources are 'police.uk' and 'met'", value=source)
    return table[table["source"] == source].reset_index(drop=True)


def resolve_categories(
    names: str | Iterable[str], source: str, present: Iterable[object] | None = None
) -> frozenset[str]:
    """Matching keys of the categories ``names`` (checked against ``source``).

    ``present`` are the category names found in the data: they are valid too
    (the Met renames and adds categories, e.g. "STALKING AND HARASSMENT"), and
    an unknown name is then reported with the data's own categories.

    Raises
    ------
    hotspots.InputError
        For a name that is not a category of ``source`` (nor of the data),
        listing the valid ones.
    """
    if isinstance(names, str):
        names = [names]
    table = crime_categories(source)
    own = (
        []
        if present is None
        else sorted({" ".join(str(n).split()) for n in present if isinstance(n, str) and n})
    )
    valid = {category_key(name) for name in [*table["name"], *own]}
    keys = []
    for name in names:
        key = category_key(name)
        if key not in valid:
            if own:
                message = f"unknown crime category; the data's categories are: {', '.join(own)}"
            else:
                listing = ", ".join(dict.fromkeys(table["name"]))
                message = f"unknown {source} crime category; valid categories are: {listing}"
            raise InputError(message, value=name)
        keys.append(key)
    if not keys:
        raise InputError("crime_types is empty: name at least one crime category")
    return frozenset(keys)
