"""The order's "Dados técnicos da geração" page (SPEC §16).

One form with four lists of rows. "Adicionar linha" and "Remover" are submit buttons: without JavaScript the
page comes back with the row added or removed and everything typed kept; with htmx the same answer replaces
only the form. The totals are the server's on every answer, and static/js/generation.js keeps them live while
typing. Saving goes through services_generation (the kernel's rules); their messages land at the row or field.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gdportal.cases.services import RuleBroken, ServiceError
from gdportal.generation.models import GenerationData
from gdportal.generation.previous import previous_plant_data
from gdportal.generation.rules import totals
from gdportal.generation.validate import MAX_ROWS, UNIT_MODALITIES

from . import services_generation
from .forms_generation import GROUPS, GenerationForm, row_formset, service_rows
from .rules import UPLOAD_STATES
from .views import _order_for, apr_login_required

ROW_FIELDS = {
    "modules": ["manufacturer", "model", "power_w", "quantity"],
    "inverters": ["manufacturer", "model", "power_kw", "quantity", "voltage_v", "inmetro"],
    "generators": ["manufacturer", "model", "power_kva", "quantity"],
}


def _groups(case):
    """The lists the page shows: the units only for the modalities that send credits elsewhere."""
    return [g for g in GROUPS if g != "units" or case.modality in UNIT_MODALITIES]


def _initial(case):
    data = GenerationData.objects.filter(case=case).first()
    # An ampliação starts from the plant as it was connected (SPEC §16); its declarations are made anew.
    source = data or previous_plant_data(case)
    if source is None:
        form = GenerationForm(initial={"generation_type": "inverter", "building_type": "individual"})
        rows = {"modules": [{}], "inverters": [{}], "generators": [], "units": [{}]}
        return form, {g: row_formset(g, initial=rows[g]) for g in _groups(case)}, None
    declared = [d.code for d in data.declarations.all() if d.accepted] if data else []
    initial = {name: getattr(source, name) for name in GenerationForm.base_fields if name != "declarations"}
    form = GenerationForm(initial={**initial, "declarations": declared})
    rows = {
        group: [{name: getattr(row, name) for name in names} for row in getattr(source, group).all()]
        for group, names in ROW_FIELDS.items()
    }
    rows["units"] = [
        {"installation": u.installation_number, "percentage": u.percentage, "priority": u.priority}
        for u in source.units.all()
    ]
    return form, {g: row_formset(g, initial=rows[g]) for g in _groups(case)}, data


def _retyped(request, case, *, add=None, remove=None):
    """The page again from what was typed, one row added to or removed from a list; nothing judged."""
    form = GenerationForm(request.POST)
    fresh = GenerationForm(initial=form.typed())
    formsets = {}
    for group in _groups(case):
        typed = [row.typed() for row in row_formset(group, request.POST).forms]
        if group == add and len(typed) < MAX_ROWS:
            typed.append({})
        if remove and remove[0] == group and 0 <= remove[1] < len(typed):
            typed.pop(remove[1])
        formsets[group] = row_formset(group, initial=typed)
    return fresh, formsets


def _remove_target(value):
    group, _sep, index = (value or "").rpartition("-")
    return (group, int(index)) if group in GROUPS and index.isdigit() else None


def _values(form, formsets):
    values = {name: form.cleaned_data.get(name) for name in form.fields}
    values["declarations"] = form.cleaned_data.get("declarations") or []
    indexes = {}
    for group in GROUPS:
        rows = service_rows(formsets[group]) if group in formsets else []
        indexes[group] = [index for index, _row in rows]
        values[group] = [row for _index, row in rows]
    return values, indexes


def _put_errors(form, formsets, indexes, errors):
    """The kernel's paths back on the page: "inverters.0.power_kw" is the first filled inverter row."""
    for path, message in errors.items():
        parts = path.split(".")
        if len(parts) == 3 and parts[0] in formsets and parts[1].isdigit():
            group, position, name = parts[0], int(parts[1]), parts[2]
            row = formsets[group].forms[indexes[group][position]]
            row.add_error(name if name in row.fields else None, message)
        elif path in form.fields:
            form.add_error(path, message)
        else:
            form.add_error(None, message)


def _row_values(row):
    """A row's numbers as the field reads them ("8,5" is 8.5); what does not parse yet counts as nothing."""
    if row.is_bound:
        return row.cleaned_data if row.is_valid() else {}
    values = {}
    for name, field in row.fields.items():
        try:
            values[name] = field.clean(row.initial.get(name))
        except ValidationError:
            values[name] = None
    return values


def _live_totals(form, formsets):
    """The totals of what is on the page (typed or saved), for the answer without JavaScript."""

    def rows(group):
        if group not in formsets:
            return []
        return [_row_values(row) for row in formsets[group].forms]

    kind = (
        form.cleaned_data.get("generation_type") if form.is_bound and hasattr(form, "cleaned_data") else None
    )
    kind = kind or form.initial.get("generation_type") or "inverter"
    try:
        return totals(kind, rows("modules"), rows("inverters"), rows("generators"))
    except (ArithmeticError, TypeError, ValueError):
        return None  # a number still being typed: the script shows the totals as soon as it parses


@apr_login_required
@require_http_methods(["GET", "POST"])
def order_generation(request, pk):
    order = _order_for(request.user, pk)
    case = order.case
    editable = case.state in UPLOAD_STATES and order.rt_id == request.user.pk == case.rt_id
    status = 200
    if request.method == "POST" and editable:
        remove = _remove_target(request.POST.get("remove_row"))
        add = request.POST.get("add_row")
        if add in GROUPS or remove:
            form, formsets = _retyped(request, case, add=add if add in GROUPS else None, remove=remove)
        else:
            form = GenerationForm(request.POST)
            formsets = {group: row_formset(group, request.POST) for group in _groups(case)}
            valid = form.is_valid() & all([formset.is_valid() for formset in formsets.values()])
            if valid:
                values, indexes = _values(form, formsets)
                try:
                    services_generation.order_generation_save(order=order, by=request.user, values=values)
                except RuleBroken as exc:
                    _put_errors(form, formsets, indexes, exc.errors)
                except ServiceError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Generation technical data saved."))
                    return redirect("aprweb:order", pk=order.pk)
            status = 400
    else:
        form, formsets, _data = _initial(case)
    data = GenerationData.objects.filter(case=case).first()
    made = {d.code: d for d in data.declarations.select_related("by")} if data else {}
    context = {
        "order": order,
        "case": case,
        "form": form,
        "formsets": [(group, GROUPS[group][1], formsets[group]) for group in formsets],
        "editable": editable,
        "data": data,
        "declaration_boxes": [(box, made.get(str(box.data["value"]))) for box in form["declarations"]],
        "totals": _live_totals(form, formsets),
        "max_rows": MAX_ROWS,
    }
    return render(request, "aprweb/order_generation.html", context, status=status)
