"""Where the stages hang their pages on the shared Atende screens, without those screens importing them.

- Service options: the Mini/Micro GD page lists what a customer can do there (Solicitar acesso, Consulta de
  acesso, Andamento de serviços, Vistoria…). Each stage registers its own from its AppConfig.ready().
- Case panels: the case page (atende's status_detail) shows, below its own data, a section per stage that has
  something to say about the case (the parecer, the inspection, the GFC). A panel is a template and a function
  (case, user) → context dict, or None when the panel has nothing to show for that case.

This module imports no stage; the stages import it. Registration is keyed (url name, template), so a ready()
that runs twice registers nothing twice.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True)
class ServiceOption:
    label: Any  # a lazy translation: read at render time, in the user's language
    url_name: str
    order: int


class CasePanel(NamedTuple):
    template: str
    context: dict


_SERVICE_OPTIONS = {}  # url name -> ServiceOption
_CASE_PANELS = {}  # template name -> (order, context function)


def register_service_option(label, url_name, order=100):
    _SERVICE_OPTIONS[url_name] = ServiceOption(label, url_name, order)


def service_options():
    """The registered options, by their order (then by url name, so equal orders stay stable)."""
    return sorted(_SERVICE_OPTIONS.values(), key=lambda option: (option.order, option.url_name))


def register_case_panel(template_name, context_function: Callable[[Any, Any], dict | None], order=100):
    """`context_function(case, user)` runs once per case page: it must read what its panel needs in a fixed
    number of queries (whatever the case holds), and return None to leave the panel out."""
    _CASE_PANELS[template_name] = (order, context_function)


def case_panels(case, user):
    """[(template, context)] for the panels that have something to show on this case, in their order."""
    panels = []
    for template, (_order, function) in sorted(_CASE_PANELS.items(), key=lambda item: (item[1][0], item[0])):
        context = function(case, user)
        if context is not None:
            panels.append(CasePanel(template, context))
    return panels
