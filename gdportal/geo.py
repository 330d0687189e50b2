"""Distances on the ground (SPEC §15): the plant's coordinates against the registry's location of the UC.

Haversine on a sphere of the Earth's mean radius: at the 100 m the rule cares about, the error against the
ellipsoid is a few centimetres, well below what a phone's GPS reading gives.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from .brformats import number_br

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


def haversine_m(lat1, lon1, lat2, lon2):
    """The great-circle distance in metres between two points in decimal degrees (Decimal or float)."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = phi2 - phi1
    dlambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def whole_metres(metres):
    """Rounded half-up to the metre: what the rule compares and what the page shows agree ("101 m")."""
    return int(Decimal(str(metres)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def distance_br(metres):
    """101 → '101 m'; 2300 → '2,3 km' (metres below 1 km, km with one decimal comma from there on)."""
    metres = whole_metres(metres)
    if metres < 1000:
        return f"{metres} m"
    km = (Decimal(metres) / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number_br(km, 1)} km"
