"""The lean change lists' tags (templates/admin/lean_change_list.html): {% lean_result_list %}, the table
with its rows from gdportal.admin_rows (or Django's own where that module leaves the page to Django), and
the pieces printed once per process: the navigation sidebar, the filters, the column headers, the styles."""

from django import template
from django.contrib.admin.filters import (
    BooleanFieldListFilter,
    ChoicesFieldListFilter,
    DateFieldListFilter,
    SimpleListFilter,
)
from django.contrib.admin.templatetags.admin_list import result_headers, result_list
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from gdportal.admin_rows import result_rows

register = template.Library()

# Pieces of the lean change lists' HTML, each by everything it is made of, so that a page prints them once
# per process: the navigation sidebar by (language, page, what the user may see) — making it, every app and
# model with its permissions, URLs and names, cost a third of a list —; the filters (a fifth: a query string
# per choice) and the column headers by the list's parameters. Each dict is emptied when it fills.
_NAV_SIDEBARS = {}
_FILTERS = {}
_HEADERS = {}
_FRAGMENTS = {}
_CACHE_MAX = 256


@register.inclusion_tag("admin/lean_change_list_results.html")
def lean_result_list(cl):
    rows = result_rows(cl)
    if rows is None:
        return {**result_list(cl), "rows": None, "thead": None}
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "thead": _thead(cl),
        # Each row is made of escaped values (admin_rows formats and escapes every cell).
        "rows": mark_safe("".join(f"<tr>{row}</tr>\n" for row in rows)),  # noqa: S308  # nosec B308 B703
    }


def _thead(cl):
    """The sortable column headers (a link per column and order: three query strings each), printed once per
    list, language and parameters."""
    key = ("thead", type(cl.model_admin), get_language(), _params(cl), tuple(cl.list_display))
    html = _HEADERS.get(key)
    if html is None:
        headers = list(result_headers(cl))
        context = {
            "result_headers": headers,
            "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        }
        html = get_template("admin/lean_result_headers.html").render(context)
        _remember(_HEADERS, key, html)
    return html


def _params(cl):
    # Every query string a list prints starts from these (the page number aside).
    return tuple(sorted((name, tuple(values)) for name, values in cl.filter_params.items()))


def _remember(cache, key, html):
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = html


@register.simple_tag(takes_context=True)
def cached_nav_sidebar(context):
    """admin/nav_sidebar.html, rendered once per language, path and set of permissions (an active superuser
    may do everything: one key). The models each user sees follow from the permissions alone (every
    has_*_permission of this project's admins reads the user's permissions, nothing else)."""
    request = context["request"]
    user = request.user
    may = "superuser" if user.is_active and user.is_superuser else frozenset(user.get_all_permissions())
    key = (get_language(), request.path, may)
    html = _NAV_SIDEBARS.get(key)
    if html is None:
        html = context.template.engine.get_template("admin/nav_sidebar.html").render(context)
        _remember(_NAV_SIDEBARS, key, html)
    return html


def _filters_key(cl):
    """Everything the filters' HTML depends on — the list, the language, the parameters, each filter's
    choices (a SimpleListFilter's lookups, the date filter's ranges from today) — or None where that is not
    all: counts asked for (?_facets), a filter kind whose choices this does not know, an admin not in."""
    if cl.add_facets or not getattr(cl.model_admin, "list_filters_cached", False):
        return None
    specs = []
    for spec in cl.filter_specs:
        if isinstance(spec, SimpleListFilter) and type(spec).choices is SimpleListFilter.choices:
            specs.append((str(spec.title), tuple((str(v), str(t)) for v, t in spec.lookup_choices)))
        elif isinstance(spec, DateFieldListFilter) and type(spec).choices is DateFieldListFilter.choices:
            specs.append(tuple((str(t), tuple((k, str(v)) for k, v in p.items())) for t, p in spec.links))
        elif type(spec) in (ChoicesFieldListFilter, BooleanFieldListFilter):
            specs.append(type(spec).__name__)
        else:
            return None
    return (type(cl.model_admin), get_language(), _params(cl), tuple(specs))


@register.simple_tag(takes_context=True)
def cached_list_filters(context, cl):
    """admin/change_list.html's filters block (admin/lean_filters.html), from _FILTERS when it has a key."""
    key = _filters_key(cl)
    html = _FILTERS.get(key) if key is not None else None
    if html is None:
        html = context.template.engine.get_template("admin/lean_filters.html").render(context)
        if key is not None:
            _remember(_FILTERS, key, html)
    return html


@register.tag
def lean_fragment(parser, token):
    """{% lean_fragment "name" value… %}…{% endlean_fragment %}: the enclosed HTML, printed once per process
    for each language and set of values — for the parts of a page made of nothing else (its stylesheets and
    scripts: a {% static %} lookup each)."""
    vary = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endlean_fragment",))
    parser.delete_first_token()
    return _FragmentNode(nodelist, vary)


class _FragmentNode(template.Node):
    def __init__(self, nodelist, vary):
        self.nodelist = nodelist
        self.vary = vary

    def render(self, context):
        key = (get_language(), *(str(value.resolve(context)) for value in self.vary))
        html = _FRAGMENTS.get(key)
        if html is None:
            html = self.nodelist.render(context)
            _remember(_FRAGMENTS, key, html)
        return html
