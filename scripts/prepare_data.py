"""Prepare the London geography, population and crime samples shipped with london-hotspots.

This script is how every file under ``boundaries/data/`` and ``hotspots/_data/`` was made.
It reads unchanged copies of the official releases and writes the shipped files; running
it again on the same sources and the same library versions gives byte-identical output.

Official releases read (Crown copyright, Open Government Licence v3.0):

- ONS Open Geography Portal, generalised (20 m) clipped boundaries:
  *Local Authority Districts (December 2022)*, *Lower layer Super Output Areas
  (December 2021)*, *Lower layer Super Output Areas (December 2011)* and *Middle layer
  Super Output Areas (December 2021)*, London extracts.
- ONS Open Geography Portal: *Wards (December 2024) Boundaries UK*, London extract, with
  the City of London's 25 wards merged into one area coded E09000001.
- ONS Open Geography Portal: *LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit
  Lookup in EW* (City of London merged to E09000001).
- London Datastore, GLA *Statistical GIS Boundary Files for London*: wards as of 2018
  (``London_Ward_CityMerged``) and the Greater London outline (``London_GLA_Boundary``).
- ONS Census 2021 table TS007B *Age by broad age bands*, LSOA 2021, from Nomis
  (``Total`` = all usual residents).
- ONS *Lower layer Super Output Area population estimates*, mid-2020 (2011 LSOAs).
  Both population sources also give age bands: TS007B eleven bands (0-4 ... 85+),
  the mid-2020 estimates five (0-15, 16-29, 30-44, 45-64, 65+); they ship in
  ``population-ages.parquet`` (``--only ages`` rebuilds just that file and its manifest
  entry, from the shipped layers).
- London Datastore, *MPS Recorded Crime: Geographic Breakdown*: ward-level table, the
  24 months 2023-07 .. 2025-06.
- data.police.uk street-level crime: Metropolitan Police Service burglary, 2024-12 ..
  2025-02, and City of London Police (all crime types), 2024-12.

No geometry is simplified: every layer ships the coordinates of its source file exactly
(the ONS layers are already generalised to 20 m by ONS), so queen contiguity is unchanged.
The script records a digest of each source file's queen-contiguity edge list in the
manifest and checks the shipped file reproduces it; ``tests/test_boundaries.py``
re-checks it on the shipped files.

Re-run from the repository root, giving the folder that holds the source copies
(laid out as described in its README.md)::

    python scripts/prepare_data.py ../shared/data
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
from libpysal.graph import Graph

ROOT = Path(__file__).resolve().parent.parent
LAYER_DIR = ROOT / "boundaries" / "data"
SAMPLE_DIR = ROOT / "hotspots" / "_data"

OGL = "Open Government Licence v3.0"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
ONS_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right {year}."
)
GLA_ATTRIBUTION = (
    "Contains National Statistics data © Crown copyright and database right {year}. "
    "Contains Ordnance Survey data © Crown copyright and database right {year}. "
    "Greater London Authority, Statistical GIS Boundary Files for London."
)
GEOPORTAL = "https://geoportal.statistics.gov.uk/"
GLA_GIS_URL = "https://data.london.gov.uk/dataset/statistical-gis-boundary-files-london"
CENSUS_URL = "https://www.nomisweb.co.uk/sources/census_2021"
MID2020_URL = (
    "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
    "populationestimates/datasets/lowersuperoutputareamidyearpopulationestimates"
)
MPS_URL = "https://data.london.gov.uk/dataset/recorded_crime_summary"
POLICE_UK_URL = "https://data.police.uk/data/"
NO_SIMPLIFICATION = "none: source coordinates shipped exactly"
ONS_GEN20 = "generalised to 20 m by ONS (as published); no further simplification"

LONDON_TOTAL_2021 = 8_799_726  # Census 2021 usual residents, TS007B row "gor:London"
LONDON_LSOA_SUM_2021 = 8_799_625  # the sum of London's 4,994 LSOA rows in the same table
CONTIGUITY_METHOD = (
    "libpysal.graph.Graph.build_contiguity(rook=False) on the source file's geometries; "
    "edges i<j as 'code_i code_j' lines sorted, joined by newline, UTF-8, sha256"
)

CENSUS_POP = {
    "description": "Census 2021 usual residents",
    "source": "ONS Census 2021, TS007B Age by broad age bands (Total), LSOA 2021, via Nomis",
    "url": CENSUS_URL,
}


def _layer_specs() -> dict[str, dict]:
    """What each shipped layer is and where it comes from."""
    return {
        "boroughs": {
            "file": "boundaries/ons_2021_gen20/london-2021-lad22-gen20.shp",
            "code": "LAD22CD",
            "name": "LAD22NM",
            "description": "London boroughs: the 32 boroughs and the City of London",
            "vintage": "December 2022",
            "areas": 33,
            "release": "ONS Local Authority Districts (December 2022) Boundaries UK, "
            "generalised clipped (20 m), London extract",
            "url": GEOPORTAL,
            "attribution": ONS_ATTRIBUTION.format(year=2022),
            "simplification": ONS_GEN20,
            "population": {**CENSUS_POP, "method": "sum of the LSOA 2021 counts (exact)"},
        },
        "wards": {
            "file": "boundaries/ons_wards_2024/london_wards_merged.shp",
            "code": "WD24CD",
            "name": "WD24NM",
            "borough": "LAD24CD",
            "description": "Electoral wards in force since May 2022 (the City of London as one "
            "area, E09000001); the ward codes of the Met's ward-level crime table",
            "vintage": "December 2024 (ward set in force since May 2022)",
            "areas": 680,
            "release": "ONS Wards (December 2024) Boundaries UK, London extract, "
            "City of London's 25 wards merged",
            "url": GEOPORTAL,
            "attribution": ONS_ATTRIBUTION.format(year=2024),
            "simplification": NO_SIMPLIFICATION,
            "population": {
                **CENSUS_POP,
                "method": "best fit: each LSOA 2021 counted whole in the ward the ONS LSOA "
                "(2021) to Ward (2024) best-fit lookup assigns it to (an approximation)",
            },
        },
        "wards-2018": {
            "file": "boundaries/gla_wards_2018/London_Ward_CityMerged.shp",
            "code": "GSS_CODE",
            "name": "NAME",
            "borough": "LAGSSCODE",
            "description": "Electoral wards as of 2018, the set before May 2022 (the City of "
            "London as one area, recoded E09000001); for older crime data",
            "vintage": "2018 (ward set in force May 2014 to May 2022)",
            "areas": 633,
            "release": "GLA Statistical GIS Boundary Files for London, London_Ward_CityMerged",
            "url": GLA_GIS_URL,
            "attribution": GLA_ATTRIBUTION.format(year=2018),
            "simplification": NO_SIMPLIFICATION,
            "population": None,
            "no_population": "no official Census 2021 or LSOA lookup to the 2018 wards is "
            "shipped; use the 'wards' layer (2022 set) for rates",
        },
        "lsoa": {
            "file": "boundaries/ons_2021_gen20/london-2021-lsoa-gen20.shp",
            "code": "LSOA21CD",
            "name": "LSOA21NM",
            "borough": "LAD22CD",
            "msoa": ("MSOA21CD", "MSOA21NM"),
            "description": "Lower layer Super Output Areas, Census 2021 (the codes police.uk "
            "records carry)",
            "vintage": "Census 2021 (December 2021)",
            "areas": 4994,
            "release": "ONS Lower layer Super Output Areas (December 2021) Boundaries EW, "
            "generalised clipped (20 m), London extract",
            "url": GEOPORTAL,
            "attribution": ONS_ATTRIBUTION.format(year=2022),
            "simplification": ONS_GEN20,
            "population": {**CENSUS_POP, "method": "as published, one count per LSOA"},
        },
        "lsoa-2011": {
            "file": "boundaries/ons_2021_gen20/london-2011-lsoa-gen20.shp",
            "code": "LSOA11CD",
            "name": "LSOA11NM",
            "borough": "LAD11CD",
            "msoa": ("MSOA11CD", "MSOA11NM"),
            "description": "Lower layer Super Output Areas, Census 2011; for crime data "
            "coded to 2011 LSOAs",
            "vintage": "Census 2011 (December 2011)",
            "areas": 4835,
            "release": "ONS Lower layer Super Output Areas (December 2011) Boundaries EW, "
            "generalised clipped (20 m), London extract",
            "url": GEOPORTAL,
            "attribution": ONS_ATTRIBUTION.format(year=2022),
            "simplification": ONS_GEN20,
            "population": {
                "description": "ONS mid-2020 population estimate (all ages); not Census 2021",
                "source": "ONS Lower layer Super Output Area population estimates, mid-2020",
                "url": MID2020_URL,
                "method": "as published, one estimate per 2011 LSOA",
            },
        },
        "msoa": {
            "file": "boundaries/ons_2021_gen20/london-2021-msoa-gen20.shp",
            "code": "MSOA21CD",
            "name": "MSOA21NM",
            "description": "Middle layer Super Output Areas, Census 2021",
            "vintage": "Census 2021 (December 2021)",
            "areas": 1002,
            "release": "ONS Middle layer Super Output Areas (December 2021) Boundaries EW, "
            "generalised clipped (20 m), London extract",
            "url": GEOPORTAL,
            "attribution": ONS_ATTRIBUTION.format(year=2022),
            "simplification": ONS_GEN20,
            "population": {**CENSUS_POP, "method": "sum of the LSOA 2021 counts (exact)"},
        },
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _contiguity(gdf: gpd.GeoDataFrame) -> dict:
    """Queen-contiguity edge count, island count and digest (see CONTIGUITY_METHOD)."""
    graph = Graph.build_contiguity(gdf, rook=False)
    adj = graph.adjacency.reset_index()
    pairs = adj[(adj["focal"] < adj["neighbor"]) & (adj["weight"] > 0)]
    lines = sorted(f"{a} {b}" for a, b in zip(pairs["focal"], pairs["neighbor"], strict=True))
    return {
        "method": CONTIGUITY_METHOD,
        "edges": len(lines),
        "islands": len(graph.isolates),
        "sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest(),
    }


def _read_source(path: Path, code: str) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path)
    if gdf.crs is None or gdf.crs.to_epsg() != 27700:
        raise ValueError(f"{path}: expected EPSG:27700, found {gdf.crs}")
    return gdf.set_index(gdf[code].rename("code")).sort_index()


def _read_census(sources: Path) -> pd.Series:
    """Census 2021 usual residents per London LSOA 2021 (Nomis export with header lines)."""
    path = sources / "population" / "census2021_TS007B_age_by_broad_bands_lsoa21_EW.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith('"Area","mnemonic"'))
    table = pd.read_csv(path, skiprows=header, usecols=["Area", "mnemonic", "Total"])
    table = table.dropna(subset=["mnemonic"])
    london = table.loc[table["Area"] == "gor:London", "Total"]
    if london.tolist() != [LONDON_TOTAL_2021]:
        raise ValueError(f"{path}: London row {london.tolist()} != {LONDON_TOTAL_2021}")
    lsoa = table[table["Area"].str.startswith("lsoa2021:")]
    return pd.Series(
        lsoa["Total"].astype("int64").to_numpy(),
        index=pd.Index(lsoa["mnemonic"], name="code"),
        name="population",
    )


def _population(sources: Path, layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """One row per (layer, code): the population shipped for that area."""
    census = _read_census(sources)
    lsoa = layers["lsoa"]
    per_lsoa = census.reindex(lsoa.index)
    if per_lsoa.isna().any():
        raise ValueError(f"no Census 2021 count for {per_lsoa[per_lsoa.isna()].index.tolist()}")
    per_lsoa = per_lsoa.astype("int64")
    # ONS perturbed Census 2021 cells independently at each geography (cell key
    # perturbation), so London's LSOAs add up to slightly less than the London row.
    if int(per_lsoa.sum()) != LONDON_LSOA_SUM_2021:
        raise ValueError(f"London LSOAs sum to {int(per_lsoa.sum())}, not {LONDON_LSOA_SUM_2021}")

    lookup_path = sources / "population" / "lookup_lsoa21_to_ward24_citymerged.csv"
    lookup = pd.read_csv(lookup_path, usecols=["LSOA code", "Ward code"])
    ward_of = lookup.set_index("LSOA code")["Ward code"].reindex(lsoa.index)
    if ward_of.isna().any() or not ward_of.isin(layers["wards"].index).all():
        raise ValueError(f"{lookup_path}: not every London LSOA maps to a shipped ward")

    mid2020_path = sources / "population" / "ons_mid2020_pop_lsoa11_london.csv"
    mid2020 = pd.read_csv(mid2020_path, usecols=["LSOA11CD", "Persons_All-Ages"])
    mid2020 = mid2020.set_index("LSOA11CD")["Persons_All-Ages"].reindex(layers["lsoa-2011"].index)
    if mid2020.isna().any():
        raise ValueError(f"{mid2020_path}: missing 2011 LSOAs")

    msoa_of = lsoa["msoa_code"]
    series = {
        "lsoa": per_lsoa,
        "msoa": per_lsoa.groupby(msoa_of.to_numpy()).sum(),
        "boroughs": per_lsoa.groupby(lsoa["borough_code"].to_numpy()).sum(),
        "wards": per_lsoa.groupby(ward_of.to_numpy()).sum(),
        "lsoa-2011": mid2020.astype("int64"),
    }
    frames = []
    for layer, values in series.items():
        values = values.reindex(layers[layer].index)
        if values.isna().any():
            raise ValueError(f"{layer}: areas without population {values[values.isna()].index}")
        if layer != "lsoa-2011" and int(values.sum()) != int(per_lsoa.sum()):
            raise ValueError(f"{layer}: total {int(values.sum())} != the LSOAs' sum")
        frames.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "code": values.index.to_numpy(),
                    "population": values.astype("int64").to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# Census 2021 TS007B columns -> (first age, last age); 85+ is open-ended (last age 999)
OPEN_END = 999
CENSUS_BANDS = {
    "Aged 4 years and under": (0, 4),
    "Aged 5 to 9 years": (5, 9),
    "Aged 10 to 15 years": (10, 15),
    "Aged 16 to 19 years": (16, 19),
    "Aged 20 to 24 years": (20, 24),
    "Aged 25 to 34 years": (25, 34),
    "Aged 35 to 49 years": (35, 49),
    "Aged 50 to 64 years": (50, 64),
    "Aged 65 to 74 years": (65, 74),
    "Aged 75 to 84 years": (75, 84),
    "Aged 85 years and over": (85, 999),
}
MID2020_BANDS = {
    "Persons_0-15": (0, 15),
    "Persons_16-29": (16, 29),
    "Persons_30-44": (30, 44),
    "Persons_45-64": (45, 64),
    "Persons_65+": (65, 999),
}


def _age_bands(sources: Path, layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """One row per (layer, code), one column of residents per age band.

    The 2021-based layers are built from the LSOA 2021 bands exactly as the totals are
    (MSOAs and boroughs: exact sums; wards: the best-fit LSOA lookup); ``lsoa-2011`` has
    the mid-2020 estimate's bands.
    """
    path = sources / "population" / "census2021_TS007B_age_by_broad_bands_lsoa21_EW.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith('"Area","mnemonic"'))
    table = pd.read_csv(path, skiprows=header).dropna(subset=["mnemonic"])
    table = table[table["Area"].str.startswith("lsoa2021:")].set_index("mnemonic")
    lsoa = layers["lsoa"]
    bands = table[list(CENSUS_BANDS)].reindex(lsoa.index)
    if bands.isna().any().any():
        raise ValueError(f"{path}: London LSOAs without age bands")
    bands = bands.astype("int64")
    if not (bands.sum(axis=1) == table["Total"].reindex(lsoa.index)).all():
        raise ValueError(f"{path}: age bands do not add up to Total")
    lookup_path = sources / "population" / "lookup_lsoa21_to_ward24_citymerged.csv"
    lookup = pd.read_csv(lookup_path, usecols=["LSOA code", "Ward code"])
    ward_of = lookup.set_index("LSOA code")["Ward code"].reindex(lsoa.index)
    mid2020_path = sources / "population" / "ons_mid2020_pop_lsoa11_london.csv"
    mid2020 = pd.read_csv(mid2020_path).set_index("LSOA11CD")
    mid2020 = mid2020[list(MID2020_BANDS)].reindex(layers["lsoa-2011"].index).astype("int64")
    per_layer = {
        "lsoa": (bands, CENSUS_BANDS),
        "msoa": (bands.groupby(lsoa["msoa_code"].to_numpy()).sum(), CENSUS_BANDS),
        "boroughs": (bands.groupby(lsoa["borough_code"].to_numpy()).sum(), CENSUS_BANDS),
        "wards": (bands.groupby(ward_of.to_numpy()).sum(), CENSUS_BANDS),
        "lsoa-2011": (mid2020, MID2020_BANDS),
    }
    frames = []
    for layer, (wide, names) in per_layer.items():
        wide = wide.reindex(layers[layer].index)
        if wide.isna().any().any():
            raise ValueError(f"{layer}: areas without age bands")
        wide = wide.rename(columns={column: _band_name(*band) for column, band in names.items()})
        frames.append(wide.astype("int32").rename_axis("code").reset_index().assign(layer=layer))
    out = pd.concat(frames, ignore_index=True)
    bands = [c for c in out.columns if c not in ("layer", "code")]
    # one row per (layer, code), one column per age band ("0-4" ... "85+"); a band the
    # layer's source does not have is missing
    return out[["layer", "code", *bands]].astype(dict.fromkeys(bands, "Int32"))


def _band_name(first: int, last: int) -> str:
    return f"{first}+" if last == OPEN_END else f"{first}-{last}"


def _write_age_bands(sources: Path, layers: dict[str, gpd.GeoDataFrame]) -> dict:
    ages = _age_bands(sources, layers)
    path = LAYER_DIR / "population-ages.parquet"
    ages.to_parquet(path, index=False, compression="zstd", compression_level=19)
    return {
        "file": path.name,
        "sha256": _sha256(path),
        "bytes": path.stat().st_size,
        "bands": {
            "census2021": [_band_name(*band) for band in CENSUS_BANDS.values()],
            "mid2020": [_band_name(*band) for band in MID2020_BANDS.values()],
        },
        "note": "residents by age band per area: Census 2021 TS007B bands for the "
        "2021-based layers (wards: best-fit LSOA lookup, an approximation; MSOAs and "
        "boroughs: exact sums of LSOAs), ONS mid-2020 estimate bands for lsoa-2011; "
        "the bands of an area add up to its population",
    }


def _build_layers(sources: Path, specs: dict[str, dict]) -> dict[str, gpd.GeoDataFrame]:
    sources_read = {
        layer: _read_source(sources / specs[layer]["file"], specs[layer]["code"])
        for layer in ("boroughs", "lsoa")
    }
    borough_names = sources_read["boroughs"]["LAD22NM"].rename("borough_name")
    msoa_borough = sources_read["lsoa"].groupby("MSOA21CD")["LAD22CD"].agg(["nunique", "first"])
    if (msoa_borough["nunique"] != 1).any():
        raise ValueError("an MSOA 2021 lies in more than one borough")
    msoa_borough = msoa_borough["first"]

    layers: dict[str, gpd.GeoDataFrame] = {}
    for layer, spec in specs.items():
        if layer in sources_read:
            src = sources_read[layer]
        else:
            src = _read_source(sources / spec["file"], spec["code"])
        if layer == "wards-2018":
            # The GLA merged the City's 25 wards into one polygon but kept the attributes of
            # one of them (Castle Baynard, E05009297): label it as the City, as 'wards' does.
            city = src["LAGSSCODE"] == "E09000001"
            if city.sum() != 1:
                raise ValueError("wards-2018: expected exactly one City of London area")
            src = src.rename(index={src.index[city][0]: "E09000001"})
            src.loc["E09000001", "NAME"] = "City of London"
            src = src.sort_index()
        out = pd.DataFrame({"name": src[spec["name"]].astype(str)}, index=src.index)
        if layer == "msoa":
            out["borough_code"] = msoa_borough.reindex(out.index)
        elif "borough" in spec:
            out["borough_code"] = src[spec["borough"]]
        if "borough_code" in out:
            out["borough_name"] = borough_names.reindex(out["borough_code"]).to_numpy()
            if out[["borough_code", "borough_name"]].isna().any(axis=None):
                raise ValueError(f"{layer}: areas without a London borough")
        if "msoa" in spec:
            code, name = spec["msoa"]
            out["msoa_code"] = src[code]
            out["msoa_name"] = src[name]
        gdf = gpd.GeoDataFrame(out, geometry=src.geometry.to_numpy(), crs="EPSG:27700")
        gdf.index.name = "code"
        if len(gdf) != spec["areas"] or not gdf.index.is_unique:
            raise ValueError(f"{layer}: {len(gdf)} areas (expected {spec['areas']}, unique)")
        layers[layer] = gdf
    return layers


def _write_layer(gdf: gpd.GeoDataFrame, path: Path) -> None:
    gdf.to_parquet(path, index=True, compression="zstd")


def _outline(sources: Path) -> gpd.GeoDataFrame:
    src = gpd.read_file(sources / "boundaries/gla_outline/London_GLA_Boundary.shp")
    if len(src) != 1 or src.crs.to_epsg() != 27700:
        raise ValueError("expected one Greater London outline polygon in EPSG:27700")
    return gpd.GeoDataFrame(
        {"name": ["Greater London"]},
        geometry=src.geometry.to_numpy(),
        index=pd.Index(["E12000007"], name="code"),
        crs="EPSG:27700",
    )


def _prepare_boundaries(sources: Path) -> dict:
    specs = _layer_specs()
    layers = _build_layers(sources, specs)
    population = _population(sources, layers)
    LAYER_DIR.mkdir(parents=True, exist_ok=True)

    manifest: dict = {
        "crs": "EPSG:27700",
        "licence": OGL,
        "licence_url": OGL_URL,
        "layers": {},
    }
    for layer, spec in specs.items():
        path = LAYER_DIR / f"{layer}.parquet"
        _write_layer(layers[layer], path)
        shipped = gpd.read_parquet(path)
        source_graph = _contiguity(layers[layer])
        if _contiguity(shipped) != source_graph:
            raise ValueError(f"{layer}: shipped contiguity differs from the source")
        pop = spec["population"]
        if pop is not None:
            values = population.loc[population["layer"] == layer, "population"]
            pop = {**pop, "total": int(values.sum())}
        manifest["layers"][layer] = {
            "file": path.name,
            "description": spec["description"],
            "vintage": spec["vintage"],
            "areas": spec["areas"],
            "source": {
                "release": spec["release"],
                "url": spec["url"],
                "file": spec["file"],
            },
            "licence": OGL,
            "attribution": spec["attribution"],
            "simplification": spec["simplification"],
            "population": pop,
            **({"no_population": spec["no_population"]} if pop is None else {}),
            "source_contiguity": source_graph,
            "sha256": _sha256(path),
            "bytes": path.stat().st_size,
        }

    pop_path = LAYER_DIR / "population.parquet"
    population.to_parquet(pop_path, index=False, compression="zstd")
    manifest["population"] = {
        "file": pop_path.name,
        "sha256": _sha256(pop_path),
        "census2021_london_row": LONDON_TOTAL_2021,
        "census2021_london_lsoa_sum": LONDON_LSOA_SUM_2021,
        "note": "ONS perturbed Census 2021 counts independently at each geography (cell key "
        "perturbation), so London's LSOA counts sum to 101 fewer residents than the table's "
        "London row; every 2021-based layer here is built from the LSOA counts, so all of "
        "them total the LSOA sum exactly.",
    }
    manifest["population_ages"] = _write_age_bands(sources, layers)

    outline_path = LAYER_DIR / "london.parquet"
    _write_layer(_outline(sources), outline_path)
    manifest["outline"] = {
        "file": outline_path.name,
        "description": "Greater London outline, for 'is this point in London' checks",
        "source": {
            "release": "GLA Statistical GIS Boundary Files for London, London_GLA_Boundary",
            "url": GLA_GIS_URL,
            "file": "boundaries/gla_outline/London_GLA_Boundary.shp",
        },
        "licence": OGL,
        "attribution": GLA_ATTRIBUTION.format(year=2011),
        "simplification": NO_SIMPLIFICATION,
        "sha256": _sha256(outline_path),
        "bytes": outline_path.stat().st_size,
    }
    manifest_path = LAYER_DIR / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


# Fixed zip entry timestamp (the earliest a zip can hold) so the archive is reproducible.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _prepare_samples(sources: Path) -> dict:
    crime = sources / "crime"
    SAMPLE_DIR.mkdir(parents=True, exist_ok=True)
    entries: dict = {}

    ward_src = crime / "MPS Ward Level Crime (most recent 24 months) 202307-202506.csv"
    ward_out = SAMPLE_DIR / "mps-ward-crime-202307-202506.csv.gz"
    ward_out.write_bytes(gzip.compress(ward_src.read_bytes(), compresslevel=9, mtime=0))
    entries["mps-ward-crime"] = {
        "file": ward_out.name,
        "source_file": ward_src.name,
        "source_sha256": _sha256(ward_src),
    }

    members = {
        f"{month}/{month}-metropolitan-street.csv": crime
        / "police_uk_metropolitan_burglary"
        / f"{month}-metropolitan-street.csv"
        for month in ("2024-12", "2025-01", "2025-02")
    }
    members["2024-12/2024-12-city-of-london-street.csv"] = (
        crime / "police_uk_city_of_london" / "2024-12-city-of-london-street.csv"
    )
    zip_out = SAMPLE_DIR / "police-uk-burglary-2024-12-2025-02.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name].read_bytes(), compresslevel=9)
    zip_out.write_bytes(buffer.getvalue())
    entries["police-uk-burglary"] = {
        "file": zip_out.name,
        "members": {name: _sha256(path) for name, path in sorted(members.items())},
    }
    for entry in entries.values():
        entry["sha256"] = _sha256(SAMPLE_DIR / entry["file"])
    manifest_path = SAMPLE_DIR / "manifest.json"
    manifest_path.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
    return entries


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", type=Path, help="folder with the source copies")
    parser.add_argument(
        "--only",
        choices=("ages",),
        help="ages: rebuild only the age-band population file, from the shipped layers",
    )
    args = parser.parse_args(argv)
    if args.only == "ages":
        import boundaries

        layers = {
            layer: boundaries.load(layer)
            for layer in ("lsoa", "msoa", "boroughs", "wards", "lsoa-2011")
        }
        manifest_path = LAYER_DIR / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["population_ages"] = _write_age_bands(args.sources, layers)
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        print(f"population-ages {manifest['population_ages']['bytes']:>9,d} bytes")
        return
    manifest = _prepare_boundaries(args.sources)
    samples = _prepare_samples(args.sources)
    for layer, entry in manifest["layers"].items():
        print(f"{layer:11s} {entry['areas']:5d} areas {entry['bytes']:>9,d} bytes")
    for name, entry in samples.items():
        size = (SAMPLE_DIR / entry["file"]).stat().st_size
        print(f"{name:20s} {size:>9,d} bytes")


if __name__ == "__main__":
    main()
