"""The INMETRO table of registered inverters (SPEC §16) and the checks made with it.

INMETRO publishes the inverters registered under Portaria 140/2022; the utility exports that list to a CSV
(`fabricante, modelo, potencia_kw, registro_inmetro, valido_ate`) and loads it with `import_inverters`, with
the conventions of every other import (gdportal.csvimport): every row validated first, any bad row means
nothing is saved, problems as `file:line: column: message`, and the same file twice changes nothing.

An APR order's inverter rows are then compared with it: an unknown model, another registration number or an
expired registration is a warning for the RT and a hint for the analyst, never a refusal (the table may lag
behind INMETRO's list).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gdportal.csvimport import ImportProblems, Row, differs, fold, read_csv, repeated, upsert

from .models import InverterCertificate, equipment_key

COLUMNS = ["fabricante", "modelo", "potencia_kw", "registro_inmetro", "valido_ate"]
OPTIONAL = frozenset({"valido_ate"})
FIELDS = ["manufacturer", "model", "power_kw", "registration", "valid_until"]
# Lei 14.300 art. 1º: 5 MW is the largest distributed plant, so no single inverter is larger.
POWER_MAX_KW = Decimal("5000")


@dataclass
class InverterImportCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self):
        return self.created + self.updated

    def summary(self):
        return _("%(changed)s changed (%(created)s new, %(updated)s updated), %(unchanged)s unchanged.") % {
            "changed": self.changed,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def registration_key(number):
    """'003.456/2022', '3456/2022' and ' 003456-2022 ' are one registration: only letters and digits count,
    leading zeros of each part do not."""
    parts = re.findall(r"[a-z0-9]+", fold(number))
    return "-".join(p.lstrip("0") or "0" for p in parts)


def import_inverters(csv_path):
    errors = []
    path, rows = read_csv(csv_path, COLUMNS, errors, OPTIONAL)
    parsed, seen = {}, {}
    for line, data in rows:
        row = Row(path, line, data, errors, OPTIONAL)
        values = {
            "manufacturer": row.get("fabricante")[:120],
            "model": row.get("modelo")[:120],
            "power_kw": row.decimal("potencia_kw", maximum=POWER_MAX_KW, places=3, positive=True),
            "registration": row.get("registro_inmetro"),
            "valid_until": row.date("valido_ate") if row.get("valido_ate") else None,
        }
        if len(values["registration"]) > 40:
            row.error("registro_inmetro", _("at most 40 characters"))
        if not (values["manufacturer"] and values["model"]):
            continue
        key = equipment_key(values["manufacturer"], values["model"])
        repeated(row, "modelo", key, seen)
        if values["power_kw"] is not None and values["registration"]:
            parsed[key] = values
    if errors:
        raise ImportProblems(errors)

    count = InverterImportCount()
    with transaction.atomic():
        before = {c.key: c for c in InverterCertificate.objects.filter(key__in=list(parsed))}
        changed = []
        for key, values in parsed.items():
            old = before.get(key)
            if old is None:
                count.created += 1
            elif any(differs(getattr(old, f), v) for f, v in values.items()):
                count.updated += 1
            else:
                count.unchanged += 1
                continue
            changed.append(InverterCertificate(key=key, updated_at=timezone.now(), **values))
        upsert(InverterCertificate, changed, ["key"], [*FIELDS, "updated_at"])
    return count


def _field(row, name):
    return (row.get(name) if isinstance(row, dict) else getattr(row, name, "")) or ""


def inverter_warnings(rows, today=None):
    """pt-BR warnings for inverter rows (dicts or objects with manufacturer, model, inmetro) that the INMETRO
    table does not confirm: an unknown model, a different registration number, an expired registration.

    One query for all rows; a row without a model says nothing (the form reports the missing field)."""
    today = today or timezone.localdate()
    rows = [
        (_field(r, "manufacturer").strip(), _field(r, "model").strip(), _field(r, "inmetro").strip())
        for r in rows
    ]
    rows = [r for r in rows if r[1]]
    known = {
        c.key: c
        for c in InverterCertificate.objects.filter(key__in=[equipment_key(m, n) for m, n, _i in rows])
    }
    warnings = []
    for manufacturer, model, typed in rows:
        name = f"{manufacturer} {model}".strip()
        certificate = known.get(equipment_key(manufacturer, model))
        if certificate is None:
            warnings.append(
                _(
                    "Inverter %(name)s is not in the portal's INMETRO table: check that it is registered "
                    "(Portaria INMETRO 140/2022)."
                )
                % {"name": name}
            )
            continue
        if not typed:
            warnings.append(
                _("Inverter %(name)s: no INMETRO registration number given; the table has %(registered)s.")
                % {"name": name, "registered": certificate.registration}
            )
        elif registration_key(typed) != registration_key(certificate.registration):
            warnings.append(
                _(
                    "Inverter %(name)s: INMETRO registration %(typed)s differs from the table's "
                    "%(registered)s."
                )
                % {"name": name, "typed": typed, "registered": certificate.registration}
            )
        if certificate.valid_until and certificate.valid_until < today:
            warnings.append(
                _("Inverter %(name)s: INMETRO registration %(registered)s expired on %(date)s.")
                % {
                    "name": name,
                    "registered": certificate.registration,
                    "date": date_format(certificate.valid_until, "d/m/Y"),
                }
            )
    return warnings
