"""Where the stages hang their pages on the shared Atende screens, without those screens importing them.

- Service options: the Mini/Micro GD page lists what a customer can do there (Solicitar acesso, Consulta de
  acesso, Andamento de serviços, Vistoria…). Each stage registers its own from its AppConfig.ready().
- Case panels: the case page (atende's status_detail) shows, below its own data, a section per stage that has
  something to say about the case (the parecer, the inspection, the GFC). A panel is a template and a function
  (case, user) → context dict, or None when the panel has nothing to show for that case.

A panel may also say, as querysets (`present`), when it may have something to show: the case page asks them
all in one statement (`read_panel_presence`) and skips a panel none of whose querysets has a row, without
running its queries (issue 15: a case early in its life paid eight queries for panels with nothing to say).
One of them must have a row whenever the panel's function would not return None.

This module imports no stage; the stages import it. Registration is keyed (url name, template), so a ready()
that runs twice registers nothing twice.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import connection


@dataclass(frozen=True)
class ServiceOption:
    label: Any  # a lazy translation: read at render time, in the user's language
    url_name: str
    order: int


class CasePanel(NamedTuple):
    template: str
    context: dict


_SERVICE_OPTIONS = {}  # url name -> ServiceOption
_CASE_PANELS = {}  # template name -> (order, context function, presence function or None)


def register_service_option(label, url_name, order=100):
    _SERVICE_OPTIONS[url_name] = ServiceOption(label, url_name, order)


def service_options():
    """The registered options, by their order (then by url name, so equal orders stay stable)."""
    return sorted(_SERVICE_OPTIONS.values(), key=lambda option: (option.order, option.url_name))


def register_case_panel(
    template_name, context_function: Callable[[Any, Any], dict | None], order=100, present=None
):
    """`context_function(case, user)` runs once per case page: it must read what its panel needs in a fixed
    number of queries (whatever the case holds), and return None to leave the panel out. `present(case_id)`,
    if given: querysets of that case, one of which has a row whenever the function would show something."""
    global _presence
    _CASE_PANELS[template_name] = (order, context_function, present)
    _presence = None


# The presence statement is compiled once per process, for a case id no case has; each page puts its own.
_NO_CASE = -918_273_645
_presence = None  # (sql, params, [(template, number of querysets)])


def _presence_statement():
    global _presence
    if _presence is None:
        selects, params, panels = [], [], []
        for template, (_order, _function, present) in sorted(_CASE_PANELS.items()):
            if present is None:
                continue
            querysets = present(_NO_CASE)
            for queryset in querysets:
                sql, query_params = queryset.values("pk")[:1].query.sql_with_params()
                if _NO_CASE not in query_params:  # the case id would not reach the statement
                    raise ImproperlyConfigured(
                        f"{template}: present() must filter on the case id it is given"
                    )
                selects.append(f"EXISTS ({sql})")
                params.extend(query_params)
            panels.append((template, len(querysets)))
        _presence = ("SELECT " + ", ".join(selects) if selects else "", params, panels)
    return _presence


def read_panel_presence(case):
    """Whether each panel that declared `present` may show something on `case`, in one query (compiled
    once): kept on the case, for case_panels to skip the others."""
    sql, params, panels = _presence_statement()
    if not sql:
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, [case.pk if param == _NO_CASE else param for param in params])
        answers = iter(cursor.fetchone())
    case._gd_panels_present = {
        template: any([bool(next(answers)) for _ in range(n)]) for template, n in panels
    }


def case_panels(case, user):
    """[(template, context)] for the panels that have something to show on this case, in their order."""
    panels = []
    for template, (_order, function, _present) in sorted(
        _CASE_PANELS.items(), key=lambda item: (item[1][0], item[0])
    ):
        if getattr(case, "_gd_panels_present", {}).get(template) is False:
            continue  # read_panel_presence: nothing to show (a case read without it runs every panel)
        context = function(case, user)
        if context is not None:
            panels.append(CasePanel(template, context))
    return panels
