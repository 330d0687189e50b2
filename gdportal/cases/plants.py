"""The plant already connected at an installation, as every stage may ask about it (SPEC §16 ampliação).

The sistema de compensação owns the generating units; it registers a provider at start-up
(`register_plant_provider`), so the request form can prefill an ampliação and the rules can judge it without
the first stage importing the last one.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Plant:
    power_kw: Decimal
    source: str
    modality: str
    requested_on: date
    connected_on: date


_provider = None


def register_plant_provider(provider):
    """`provider(installation_id) -> Plant | None`."""
    global _provider
    _provider = provider


def current_plant(installation_id):
    """The generating unit connected at the installation, or None (none there, or no provider registered)."""
    if not installation_id or _provider is None:
        return None
    return _provider(installation_id)
