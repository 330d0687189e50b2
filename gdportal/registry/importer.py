"""Load the utility registry from the customer system's CSV export (SPEC §2).

Every row of both files is validated before anything is written; one bad row means nothing is saved and every
problem is reported as `file:line: column: message`. Writing is a bulk upsert keyed by the utility's numbers,
so running the same files twice leaves the data as it was (and reports 0 created, 0 changed).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from gdportal.brdocs import CNPJ, CPF, document_kind, only_digits, validate_cep, validate_document
from gdportal.cache import cache_delete
from gdportal.csvimport import ImportProblems, Row, choice_map, differs, read_csv, repeated, upsert

from .models import (
    REGIONAL_OFFICES_CACHE_KEY,
    ConsumptionReading,
    Customer,
    Debt,
    Installation,
    InstallationClass,
    InstallationStatus,
    PersonType,
    Phases,
    Voltage,
)

CUSTOMER_COLUMNS = [
    "number",
    "name",
    "document",
    "person_type",
    "email",
    "phone",
    "debt_reference",
    "debt_amount",
    "debt_due_date",
]
INSTALLATION_COLUMNS = [
    "number",
    "customer_number",
    "status",
    "voltage",
    "class",
    "phases",
    "street",
    "street_number",
    "complement",
    "district",
    "municipality",
    "state",
    "cep",
    "latitude",
    "longitude",
    "available_power_kw",
    "regional_office",
    "readings_until",
    "readings_kwh",
]
OPTIONAL = {
    "email",
    "phone",
    "debt_reference",
    "debt_amount",
    "debt_due_date",
    "complement",
    "latitude",
    "longitude",
    "readings_until",
    "readings_kwh",
}
BRAZIL_STATES = {
    "AC",
    "AL",
    "AP",
    "AM",
    "BA",
    "CE",
    "DF",
    "ES",
    "GO",
    "MA",
    "MT",
    "MS",
    "MG",
    "PA",
    "PB",
    "PR",
    "PE",
    "PI",
    "RJ",
    "RN",
    "RS",
    "RO",
    "RR",
    "SC",
    "SP",
    "SE",
    "TO",
}
OPTIONAL_COLUMNS = frozenset(OPTIONAL)

STATUS = choice_map(
    InstallationStatus.choices,
    {"ativo": "active", "ativa": "active", "encerrado": "closed", "encerrada": "closed"},
)
VOLTAGE = choice_map(Voltage.choices, {"baixa tensao": "BT", "media tensao": "MT"})
# Also what compensation's `import_tariffs` reads in its `class` column (SPEC §12: "as in the registry").
CLASSES = choice_map(
    InstallationClass.choices,
    {
        "residencial": "residential",
        "comercial": "commercial",
        "comercial servicos e outras atividades": "commercial",
        "rural": "rural",
        "servico publico": "public_service",
        "industrial": "industrial",
        "poder publico": "public_power",
    },
)
PHASES = choice_map(Phases.choices, {"monofasico": "single", "bifasico": "two", "trifasico": "three"})
PERSON = choice_map(PersonType.choices, {"fisica": "PF", "juridica": "PJ"})


class RegistryImportError(ImportProblems):
    pass


@dataclass
class ImportResult:
    customers_created: int = 0
    customers_updated: int = 0
    installations_created: int = 0
    installations_updated: int = 0
    readings: int = 0
    errors: list = field(default_factory=list)


def _row(path, line, data, errors):
    return Row(path, line, data, errors, OPTIONAL_COLUMNS)


def _read(path, expected, errors):
    return read_csv(path, expected, errors, OPTIONAL_COLUMNS)


def _parse_customers(path, rows, errors):
    customers, debts, seen = {}, {}, {}
    for line, data in rows:
        row = _row(path, line, data, errors)
        number = row.number("number")
        name = row.get("name")
        try:
            document = validate_document(row.get("document"))
        except ValidationError as exc:
            row.error("document", exc.messages[0])
            document = ""
        person_type = row.choice("person_type", PERSON)
        if document and person_type:
            expected = {CPF: "PF", CNPJ: "PJ"}[document_kind(document)]
            if expected != person_type:
                row.error(
                    "person_type",
                    _("%(person_type)s does not match a %(document)s")
                    % {"person_type": person_type, "document": "CPF" if expected == "PF" else "CNPJ"},
                )
        email = row.get("email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row.error("email", _("not an e-mail: %(value)r") % {"value": email})
        repeated(row, "number", number, seen)
        amount, due = row.decimal("debt_amount", minimum=Decimal(0)), row.date("debt_due_date")
        if (amount is None) != (due is None):
            row.error("debt_amount", _("debt_amount and debt_due_date go together"))
        customers[number] = Customer(
            number=number,
            name=name,
            document=document,
            person_type=person_type,
            email=email.lower(),
            phone=only_digits(row.get("phone")),
        )
        if amount is not None and due is not None:
            debts[number] = (row.get("debt_reference") or f"IMPORT-{due:%Y%m}", amount, due)
    documents = {}
    for number, customer in customers.items():
        if customer.document and customer.document in documents:
            errors.append(
                f"{path.name}: "
                + _("document of customer %(number)s repeats customer %(other)s")
                % {"number": number, "other": documents[customer.document]}
            )
        documents[customer.document] = number
    return customers, debts


def _parse_installations(path, rows, known_customers, errors):
    installations, readings, seen = {}, {}, {}
    for line, data in rows:
        row = _row(path, line, data, errors)
        number = row.number("number")
        customer_number = row.number("customer_number")
        if customer_number and customer_number not in known_customers:
            row.error(
                "customer_number",
                _("customer %(number)s is not in the registry nor in the file") % {"number": customer_number},
            )
        state = row.get("state").upper()
        if state and state not in BRAZIL_STATES:
            row.error("state", _("unknown state %(value)r") % {"value": state})
        try:
            cep = validate_cep(row.get("cep"))
        except ValidationError as exc:
            row.error("cep", exc.messages[0])
            cep = ""
        repeated(row, "number", number, seen)
        installations[number] = dict(
            number=number,
            customer_number=customer_number,
            status=row.choice("status", STATUS),
            voltage=row.choice("voltage", VOLTAGE),
            installation_class=row.choice("class", CLASSES),
            phases=row.choice("phases", PHASES),
            street=row.get("street"),
            street_number=row.get("street_number"),
            complement=row.get("complement"),
            district=row.get("district"),
            municipality=row.get("municipality"),
            state=state,
            cep=cep,
            latitude=row.decimal("latitude", Decimal(-90), Decimal(90)),
            longitude=row.decimal("longitude", Decimal(-180), Decimal(180)),
            available_power_kw=row.decimal("available_power_kw", minimum=Decimal(0)),
            regional_office=row.get("regional_office"),
        )
        until, values = row.get("readings_until"), row.get("readings_kwh")
        if until or values:
            try:
                last = dt.datetime.strptime(until, "%Y-%m").date()
                kwh = [int(v) for v in values.split("|")]
                if any(v < 0 for v in kwh) or not 1 <= len(kwh) <= 12:
                    raise ValueError
            except ValueError:
                row.error(
                    "readings_kwh",
                    _(
                        "expected readings_until as aaaa-mm and up to 12 whole kWh values "
                        "separated by |, oldest first"
                    ),
                )
                continue
            months = []
            year, month = last.year, last.month
            for _value in kwh:
                months.append(dt.date(year, month, 1))
                year, month = (year, month - 1) if month > 1 else (year - 1, 12)
            readings[number] = list(zip(reversed(months), kwh, strict=True))
    return installations, readings


def import_registry(customers_csv, installations_csv):
    errors = []
    cpath, crows = _read(customers_csv, CUSTOMER_COLUMNS, errors)
    ipath, irows = _read(installations_csv, INSTALLATION_COLUMNS, errors)
    customers, debts = _parse_customers(cpath, crows, errors)
    existing_customers = set(Customer.objects.values_list("number", flat=True))
    installations, readings = _parse_installations(ipath, irows, existing_customers | set(customers), errors)
    if errors:
        raise RegistryImportError(errors)

    result = ImportResult()
    customer_fields = ["name", "document", "person_type", "email", "phone"]
    installation_fields = [
        f for f in next(iter(installations.values()), {}) if f not in ("number", "customer_number")
    ]
    with transaction.atomic():
        before = {
            c["number"]: c
            for c in Customer.objects.filter(number__in=list(customers)).values("number", *customer_fields)
        }
        changed = [
            c
            for n, c in customers.items()
            if n not in before or any(before[n][f] != getattr(c, f) for f in customer_fields)
        ]
        result.customers_created = sum(1 for c in changed if c.number not in before)
        result.customers_updated = len(changed) - result.customers_created
        upsert(Customer, changed, ["number"], customer_fields)
        ids = dict(
            Customer.objects.filter(
                number__in=list(customers) + [i["customer_number"] for i in installations.values()]
            ).values_list("number", "id")
        )
        imported_ids = [ids[n] for n in customers]
        wanted_debts = {(ids[n], ref): (amount, due) for n, (ref, amount, due) in debts.items()}
        current_debts = {
            (d.customer_id, d.reference): d for d in Debt.objects.filter(customer_id__in=imported_ids)
        }
        Debt.objects.filter(pk__in=[d.pk for k, d in current_debts.items() if k not in wanted_debts]).delete()
        Debt.objects.bulk_create(
            [
                Debt(customer_id=cid, reference=ref, amount=amount, due_date=due)
                for (cid, ref), (amount, due) in wanted_debts.items()
                if (cid, ref) not in current_debts
                or (current_debts[(cid, ref)].amount, current_debts[(cid, ref)].due_date) != (amount, due)
            ],
            update_conflicts=True,
            unique_fields=["customer", "reference"],
            update_fields=["amount", "due_date"],
        )

        before = {
            i["number"]: i
            for i in Installation.objects.filter(number__in=list(installations)).values(
                "number", "customer_id", *installation_fields
            )
        }
        objects = []
        for number, data in installations.items():
            values = {k: v for k, v in data.items() if k != "customer_number"}
            values["customer_id"] = ids[data["customer_number"]]
            old = before.get(number)
            if old is None:
                result.installations_created += 1
            elif any(differs(old[k], v) for k, v in values.items() if k != "number"):
                result.installations_updated += 1
            else:
                continue
            objects.append(Installation(**values))
        upsert(Installation, objects, ["number"], ["customer_id", *installation_fields])

        if readings:
            inst_ids = dict(
                Installation.objects.filter(number__in=list(readings)).values_list("number", "id")
            )
            rows = [
                ConsumptionReading(installation_id=inst_ids[n], month=m, kwh=k)
                for n, values in readings.items()
                for m, k in values
            ]
            upsert(ConsumptionReading, rows, ["installation", "month"], ["kwh"])
            result.readings = len(rows)
    cache_delete(REGIONAL_OFFICES_CACHE_KEY)
    return result
