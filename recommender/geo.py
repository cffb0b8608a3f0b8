"""Geography: Danish postcode centroids, distances and the commute score.

Coordinates are stored as unit vectors on the sphere (x, y, z), so the distance from one home
to 100,000 workplaces is one small matrix–vector product instead of 100,000 haversines.
Postcode centroids come from the PyPI package `countrystatecity-postal-codes` (ODbL); the data
can also be passed in directly. Some of its centroids are plainly wrong (6950 Ringkøbing in the
North Sea, all of Bornholm shifted south-west, Thisted west of the coast), so `Postcodes` replaces
them with hand-checked town centres from `data/postcode_corrections.csv`; `misplaced_centroids`
finds such outliers (a test keeps the corrections complete).
"""

from __future__ import annotations

import csv
import json
import math
import re
import statistics
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088
DEFAULT_SCALE_KM = 40.0  # soft decay scale when the person gave no commute radius
DK_BOUNDS = (54.55, 57.75, 8.05, 15.16)  # land bounding box: lat min, lat max, lon min, lon max
CENTROID_OUTLIER_KM = 45.0  # further than this from its postcode group's median: misplaced
CORRECTIONS_FILE = Path(__file__).resolve().parent / "data" / "postcode_corrections.csv"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def to_xyz(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Unit vectors for latitude/longitude in degrees (shape (..., 3))."""
    la, lo = (
        np.radians(np.asarray(lat, dtype=np.float64)),
        np.radians(np.asarray(lon, dtype=np.float64)),
    )
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def distances_km(xyz: npt.NDArray, home: npt.NDArray) -> npt.NDArray[np.float64]:
    """Great-circle distances from `home` (a unit vector) to each row of `xyz`."""
    # The chord length is numerically stabler than arccos of the dot product for short distances.
    chord = np.linalg.norm(xyz.astype(np.float64) - home[None, :], axis=1)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0.0, 1.0))


def max_dot_for_radius(radius_km: float) -> float:
    """The dot product of unit vectors that corresponds to `radius_km` (for a fast filter)."""
    return math.cos(min(radius_km / EARTH_RADIUS_KM, math.pi))


def geo_score(dist_km: npt.NDArray, commute_km: float | None) -> npt.NDArray[np.float64]:
    """Soft decay in [0, 1]: 1 at home, 0.5 at the edge of the commute radius.

    Without a radius, a smooth decay on a 40 km scale (0.5 at 40 km).
    """
    scale = commute_km if commute_km and commute_km > 0 else DEFAULT_SCALE_KM
    return 1.0 / (1.0 + (np.asarray(dist_km, dtype=np.float64) / scale) ** 2)


def misplaced_centroids(coords: Mapping[str, tuple[float, float]]) -> list[str]:
    """Postcodes whose centroid lies outside Denmark or far from its postcode group.

    Danish postcodes are geographic (37xx is Bornholm, 69xx west Jutland), so a centroid
    further than `CENTROID_OUTLIER_KM` from the median of its two-digit group, or outside the
    land bounding box, is suspect (islands such as Anholt are legitimately far).
    """
    groups: dict[str, list[tuple[float, float]]] = {}
    for code, point in coords.items():
        groups.setdefault(code[:2], []).append(point)
    medians = {
        g: (statistics.median(p[0] for p in pts), statistics.median(p[1] for p in pts))
        for g, pts in groups.items()
    }
    lat_min, lat_max, lon_min, lon_max = DK_BOUNDS
    return [
        code
        for code, (lat, lon) in coords.items()
        if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max)
        or haversine_km(lat, lon, *medians[code[:2]]) > CENTROID_OUTLIER_KM
    ]


@lru_cache(maxsize=1)
def centroid_corrections() -> dict[str, tuple[float, float]]:
    """Hand-checked town-centre coordinates for postcodes the source misplaces."""
    out: dict[str, tuple[float, float]] = {}
    with open(CORRECTIONS_FILE, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["code"]] = (float(row["latitude"]), float(row["longitude"]))
    return out


class Postcodes:
    """Danish postcode → (lat, lon) lookup (misplaced source centroids repaired)."""

    def __init__(self, rows: Iterable[Mapping[str, object]] | Mapping[str, tuple[float, float]]):
        self.coords: dict[str, tuple[float, float]] = {}
        if isinstance(rows, Mapping):
            for k, v in rows.items():
                self.coords[str(k)] = (float(v[0]), float(v[1]))
            return
        for r in rows:
            code, lat, lon = r.get("code"), r.get("latitude"), r.get("longitude")
            if code is None or lat is None or lon is None:
                continue
            # Several rows can share a code (districts); the first centroid is good enough.
            self.coords.setdefault(str(code), (float(lat), float(lon)))  # type: ignore[arg-type]
        self.coords.update(
            {c: point for c, point in centroid_corrections().items() if c in self.coords}
        )

    def lookup(self, postcode: str | None) -> tuple[float, float] | None:
        """Coordinates of a postcode ("5000", "DK-5000", "5000 Odense C"), or None."""
        if not postcode:
            return None
        digits = "".join(ch for ch in str(postcode) if ch.isdigit())[:4]
        return self.coords.get(digits)

    def __len__(self) -> int:
        return len(self.coords)


def _package_rows() -> list[dict[str, Any]]:
    """The Danish rows of `countrystatecity-postal-codes`; none if it is not installed."""
    try:
        ref = resources.files("countrystatecity_postal_codes").joinpath(
            "data/by-country/DK/postcodes.json"
        )
        rows = json.loads(ref.read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
        return []
    return [r for r in rows if isinstance(r, dict)]


@lru_cache(maxsize=1)
def danish_postcodes() -> Postcodes:
    """Postcode centroids from `countrystatecity-postal-codes`; empty if it is not installed."""
    return Postcodes(_package_rows())


@lru_cache(maxsize=1)
def danish_towns() -> dict[str, str]:
    """Lower-cased Danish town names → their lowest postcode, from the same package's locality
    names. A town with districts ("Aarhus C", "Aarhus N") is also known by its bare name."""
    towns: dict[str, str] = {}
    for r in sorted(_package_rows(), key=lambda r: str(r.get("code"))):
        name = str(r.get("localityName") or "").strip().lower()
        if not name:
            continue
        towns.setdefault(name, str(r["code"]))
        bare = re.sub(r"\s+(?:[a-zæøå]{1,2}|øst|vest|nord|syd)$", "", name)
        towns.setdefault(bare, str(r["code"]))
    return towns
