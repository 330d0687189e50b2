"""The Atende service catalogue and its accent- and case-insensitive search (SPEC §4.1)."""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


def fold(text):
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@dataclass(frozen=True)
class Service:
    slug: str
    title: str
    summary: str
    url_name: str
    keywords: tuple

    def matches(self, query):
        q = fold(query)
        if not q:
            return False
        haystack = " ".join(fold(k) for k in (self.title, *self.keywords))
        return all(word in haystack for word in q.split())


SERVICES = [
    Service(
        slug="gd",
        title=_("Mini / Micro Distributed Generation"),
        summary=_(
            "Request access to connect micro or minigeneration (solar, wind, hydro, biomass…) to the "
            "grid, follow the process, ask for inspection and manage the compensation system."
        ),
        url_name="atende:gd",
        keywords=(
            "microgeração",
            "minigeração",
            "micro geração",
            "mini geração",
            "geração distribuída",
            "mini micro geração distribuída",
            "energia solar",
            "fotovoltaica",
            "painel solar",
            "gd",
            "microgeneration",
            "minigeneration",
            "distributed generation",
        ),
    ),
]


def search(query):
    """Every service, the ones matching `query` flagged so the page can highlight them."""
    return [(service, service.matches(query)) for service in SERVICES]
