"""Admin change lists whose rows are formatted in one pass (SPEC §11: admin lists at ≥ 25 % of the floor).

Django formats each of a page's ~500 cells through lookup_field, display_for_field and format_html, looking
the field, the date format, the time zone and the empty value up again for every one, and resolves the change
URL again for every row: about 40 % of a list's CPU. Here each column gets its formatter once per page — the
same text Django prints (the choices' labels, the FORMAT_MODULE_PATH dates, the decimal comma, "-" when
empty), with the same escaping and cell classes — and the link's URL is reversed and resolved once, the id put
in per row. A column this does not know (relation, property, callable) leaves the whole page to Django.
"""

import datetime
import html
import re

from django.conf import settings
from django.contrib.admin.templatetags.admin_list import _boolean_icon
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_value
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils import dateformat, numberformat, timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_fsm import FSMFieldMixin

# What the admin's change URL is reversed with once per page; each row's id replaces it.
PK_SLOT = "gd0pk0slot"

# dateformat's codes formatted directly (the project's dd/mm/aaaa HH:MM); any other code goes to dateformat.
_DATE_CODES = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year:04d}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}


def date_formatter(fmt):
    """(function, escaped) printing a date as dateformat.format(value, fmt) does: a str.format template when
    fmt has only numeric codes and separators (its text needs no escaping), dateformat itself otherwise."""
    if re.fullmatch(r"[djmnYHis/.:\- ]*", fmt):
        return "".join(_DATE_CODES.get(char, char) for char in fmt).format, True
    return (lambda value: dateformat.format(value, fmt)), False


def _escape(value):
    # django.utils.html.escape without its lazy-string wrapper (it is html.escape on str(value)).
    return html.escape(str(value))


class _Formats:
    """The current language's formats and time zone, looked up once per page."""

    def __init__(self):
        lang = get_language()
        self.datetime = date_formatter(get_format("DATETIME_FORMAT", lang))
        self.date = date_formatter(get_format("DATE_FORMAT", lang))
        self.time = get_format("TIME_FORMAT", lang)
        self.decimal_sep = get_format("DECIMAL_SEPARATOR", lang)
        self.grouping = get_format("NUMBER_GROUPING", lang)
        self.thousand_sep = get_format("THOUSAND_SEPARATOR", lang)
        self.zone = timezone.get_current_timezone() if settings.USE_TZ else None

    def number(self, value, decimal_pos=None):
        # formats.number_format with the separators already in hand.
        return numberformat.format(
            value, self.decimal_sep, decimal_pos, self.grouping, self.thousand_sep, use_l10n=True
        )


def _field_text(field, empty, fmt):
    """display_for_field for one field, as a function value -> escaped text; None for kinds left to Django.
    A value of blanks counts as empty, as in items_for_result."""
    if getattr(field, "flatchoices", None):
        labels = _choice_labels(field)
        if labels is None:
            return None
        return lambda value: labels.get(_blank(value), empty)
    if isinstance(field, models.BooleanField):
        icons = {value: str(_boolean_icon(value)) for value in (True, False, None)}
        return icons.__getitem__
    if isinstance(field, (models.FileField, models.URLField, models.JSONField)):
        return None  # links and JSON: Django's own path
    if isinstance(field, models.DateTimeField):
        (show, escaped), zone = fmt.datetime, fmt.zone

        def text(value):
            if value is None:
                return empty
            # timezone.template_localtime: an aware value in the current zone.
            aware = zone is not None and value.utcoffset() is not None
            if aware and getattr(value, "convert_to_local_time", True):
                value = value.astimezone(zone)
            return show(value) if escaped else _escape(show(value))

        return text
    if isinstance(field, models.DateField):
        show, escaped = fmt.date
        return lambda value: empty if value is None else show(value) if escaped else _escape(show(value))
    if isinstance(field, (models.CharField, models.TextField)):
        general = _general_text(field, empty, str)

        def text(value):
            if value.__class__ is str:
                return html.escape(value) if value.strip() else empty
            return general(value)

        return text
    if isinstance(field, models.TimeField):
        show = lambda value: dateformat.time_format(value, fmt.time)  # noqa: E731
    elif isinstance(field, models.DecimalField):
        places = field.decimal_places
        show = lambda value: fmt.number(value, places)  # noqa: E731
    elif isinstance(field, (models.IntegerField, models.FloatField)):
        show = fmt.number
    else:
        show = lambda value: display_for_value(value, empty)  # noqa: E731
    return _general_text(field, empty, show)


# {value: escaped label} of a field's choices by (field, language): the labels are translated once.
_CHOICE_LABELS = {}


def _choice_labels(field):
    key = (field, get_language())
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        try:
            labels = {value: _escape(label) for value, label in field.flatchoices}
        except TypeError:  # unhashable choices: Django's own path
            return None
        _CHOICE_LABELS[key] = labels
    return labels


def _general_text(field, empty, show):
    empties = field.empty_values

    def text(value):
        value = _blank(value)
        return empty if value in empties else _escape(show(value))

    return text


def _blank(value):
    # items_for_result: a string of spaces is shown as an empty value.
    return "" if isinstance(value, str) and not value.strip() else value


def _column(cl, name, empty, fmt, url, first_link):
    """One list_display entry as a function obj -> its <td> (<th> for the first link), the cell Django's
    items_for_result prints; _DjangoDoesIt for a column it does not know."""
    tag = "th" if first_link else "td"
    classes = f"field-{name}"
    if name == "action_checkbox":
        text = _checkbox_text()
        classes = "action-checkbox"
    else:
        try:
            field = cl.lookup_opts.get_field(name)
        except FieldDoesNotExist:
            return _method_column(cl, name, empty, url, tag, classes)
        if field.is_relation or not field.concrete:
            raise _DjangoDoesIt
        if isinstance(field, (models.DateField, models.TimeField)):
            classes += " nowrap"
        show = _field_text(field, empty, fmt)
        if show is None:
            raise _DjangoDoesIt
        attname = field.attname

        def text(obj):
            return show(getattr(obj, attname))

    opening, closing = f'<{tag} class="{classes}">', f"</{tag}>"
    if url is None:
        return lambda obj: f"{opening}{text(obj)}{closing}"
    return lambda obj: f'{opening}<a href="{url(obj)}">{text(obj)}</a>{closing}'


def _method_column(cl, name, empty, url, tag, classes):
    """An @admin.display method of the ModelAdmin: Django's display_for_value on what it returns."""
    method = getattr(cl.model_admin, name, None)
    if "__" in name or name == "__str__" or not callable(method):
        raise _DjangoDoesIt  # a model attribute, a property, a relation path: Django's own lookup_field
    own_empty = getattr(method, "empty_value_display", None)
    empty = empty if own_empty is None else str(conditional_escape(own_empty))
    boolean = getattr(method, "boolean", False)

    def cell(obj):
        value = _blank(method(obj))
        text = conditional_escape(display_for_value(value, empty, boolean))
        if url is not None:
            text = f'<a href="{url(obj)}">{text}</a>'
        nowrap = " nowrap" if isinstance(value, (datetime.date, datetime.time)) else ""
        return f'<{tag} class="{classes}{nowrap}">{text}</{tag}>'

    return cell


def _checkbox_text():
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.utils.translation import gettext

    label = _escape(gettext("Select this object for an action - {}"))

    def text(obj):
        # The markup CheckboxInput renders for ModelAdmin.action_checkbox, without a template per row.
        return (
            f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}" value="{_escape(obj.pk)}" '
            f'class="action-select" aria-label="{label.format(_escape(obj))}">'
        )

    return text


class _DjangoDoesIt(Exception):
    """A column this module does not format: the page is Django's items_for_result."""


class _ChangeUrl:
    """The change page's URL with the list's filters kept (?_changelist_filters=…), escaped for an attribute.
    For an integer id it is reversed and resolved once per page and the id put in per row (an id of digits
    reads the same quoted or not); any other key goes through Django's per-row reverse."""

    def __init__(self, cl):
        self.cl = cl
        self.context = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
        self.parts = None
        if isinstance(cl.lookup_opts.pk, (models.AutoField, models.BigAutoField, models.IntegerField)):
            try:
                url = cl.url_for_result(_Slot(cl.pk_attname))
            except NoReverseMatch:
                return
            parts = add_preserved_filters(self.context, url).split(PK_SLOT)
            if len(parts) == 2:
                self.parts = [_escape(part) for part in parts]

    def __call__(self, obj):
        pk = getattr(obj, self.cl.pk_attname)
        if self.parts is not None:
            return f"{self.parts[0]}{pk}{self.parts[1]}"
        return _escape(add_preserved_filters(self.context, self.cl.url_for_result(obj)))

    def exists(self):
        """Whether the model has a change page to link to (otherwise Django prints the bare text)."""
        if self.parts is not None:
            return True
        first = next(iter(self.cl.result_list), None)
        if first is None:
            return True
        try:
            self.cl.url_for_result(first)
        except NoReverseMatch:
            return False
        return True


class _Slot:
    def __init__(self, attname):
        setattr(self, attname, PK_SLOT)


def result_rows(cl):
    """The page's rows as HTML (<th>/<td> cells, one string per row), the same cells Django's items_for_result
    prints; None when the list needs Django's own code (list_editable, a popup, an unknown column)."""
    if cl.formset is not None or cl.is_popup or cl.to_field:
        return None
    empty = str(cl.model_admin.get_empty_value_display())
    fmt = _Formats()
    links = cl.list_display_links
    url = _ChangeUrl(cl)
    columns = []
    first_link = True
    try:
        for name in cl.list_display:
            if callable(name):
                raise _DjangoDoesIt
            link = links is not None and ((first_link and not links) or name in links)
            if link and not url.exists():
                raise _DjangoDoesIt  # no change page (Django prints the text without a link)
            columns.append(_column(cl, name, empty, fmt, url if link else None, first_link and link))
            if link:
                first_link = False
    except _DjangoDoesIt:
        return None
    # Every cell is escaped text inside markup made here.
    return [mark_safe("".join([cell(obj) for cell in columns])) for obj in cl.result_list]  # noqa: S308  # nosec B308 B703


class LeanChangeList(ChangeList):
    """Loads only the columns the list shows (`list_fields_loaded`, or the list_display fields when every
    column is a plain field): a page of 50 orders reads 10 of their 35 columns."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        loaded = self.model_admin.fields_loaded(self.list_display)
        # A joined relation cannot be deferred at the same time (Django refuses select_related + only).
        if not loaded or queryset.query.select_related:
            return queryset
        return queryset.only(*loaded)


class LeanRowsMixin:
    """For a ModelAdmin: its change list rows formatted in one pass (result_rows), only the shown columns
    loaded, and the filters and the navigation sidebar printed from caches (templatetags/lean_admin_list.py).
    The template falls back to Django's rows wherever result_rows says so."""

    change_list_template = "admin/lean_change_list.html"
    # The filters' HTML is reused for the same parameters (lean_admin_list._filters_key says when it may be).
    list_filters_cached = True
    # Extra fields the list's @admin.display methods read; None: load every field unless all are plain.
    list_fields_loaded = None

    def get_changelist(self, request, **kwargs):
        return LeanChangeList

    def changelist_view(self, request, extra_context=None):
        # The navigation sidebar is printed from a cache ({% cached_nav_sidebar %}): the site lists the apps
        # only if the template asks (PortalAdminSite.get_app_list).
        request.gd_cached_nav_sidebar = True
        return super().changelist_view(request, extra_context)

    def fields_loaded(self, list_display):
        opts = self.model._meta
        names = [] if self.list_fields_loaded is None else list(self.list_fields_loaded)
        for name in list_display:
            if name == "action_checkbox":
                return None  # its aria-label is str(obj), which may read any field
            try:
                field = opts.get_field(name)
            except (FieldDoesNotExist, TypeError):
                field = None
            if field is not None and field.concrete and not field.is_relation:
                names.append(field.name)
            elif self.list_fields_loaded is None:
                return None
        # django-fsm reads every state field when it makes an instance: deferred, each would cost a query.
        states = [field.name for field in opts.concrete_fields if isinstance(field, FSMFieldMixin)]
        return [opts.pk.name, *dict.fromkeys([*names, *states])]
