"""Fuzzing the forms (issue 8): thousands of mutated bodies, public and signed in, find no 500 and no
half-saved row.

A seeded generator (reproducible: the seed and the failing body are in the assertion message) takes a valid
body for each form and mutates it: fields dropped, emptied, repeated, replaced by hostile values (NUL bytes,
10,000 characters, other scripts, dates out of range, huge numbers, markup), unknown fields added. After each
post: the answer is below 500 and, unless the form accepted it (a redirect), no row of any table a form
writes has appeared.
"""

import os
import random

import pytest
from django.apps import apps
from django.urls import reverse

from aprweb.models import RTRegistration
from gdportal.cases.models import Case
from tests import factories
from tests.aprweb.conftest import order_data
from tests.aprweb.test_registration import FORM as RT_FORM
from tests.atende.conftest import make_case, request_data

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SEED = int(os.environ.get("GD_FUZZ_SEED", "20261130"))
ROUNDS = int(os.environ.get("GD_FUZZ_ROUNDS", "120"))

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "ç" * 300,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
    "ı ſ ﬀ",  # characters that case-fold into others
    "'; DROP TABLE atende_accessrequest; --",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "%(name)s",
    "../../etc/passwd",
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "-99999999999999999999",
    "1.000,00",
    "0,001",
    "9999-12-31",
    "0000-00-00",
    "31/02/2026",
    "2026-13-45",
    "on",
    "true",
    "A" * 255,
    "B" * 256,
    "\r\n\t",
    "\u202e",
    "00000000000",
    "111.444.777-35",
    "12.ABC.345/01DE-35",
]

# Tables any of the forms below writes: none may gain a row from a refused body.
WRITTEN = [
    "cases.Case",
    "cases.DocumentVersion",
    "cases.CaseEvent",
    "aprweb.AprOrder",
    "aprweb.RTRegistration",
    "notifications.OutboundEmail",
    "deadlines.Deadline",
]


def counts():
    return {label: apps.get_model(label).objects.count() for label in WRITTEN}


def mutate(rng, body):
    body = dict(body)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        keys = list(body)
        if op < 0.45 and keys:
            body[rng.choice(keys)] = rng.choice(HOSTILE)
        elif op < 0.6 and keys:
            body.pop(rng.choice(keys))
        elif op < 0.7 and keys:
            key = rng.choice(keys)
            body[key] = [body[key], rng.choice(HOSTILE)]
        elif op < 0.8:
            body[rng.choice(["id", "pk", "state", "protocol", "rt", "customer", "filed_by", "ns"])] = (
                rng.choice(HOSTILE)
            )
        elif keys:
            key = rng.choice(keys)
            body[key] = str(body[key]) + rng.choice(HOSTILE)
    return body


def redirected(response):
    return response.status_code in (301, 302, 303)


def fuzz(client, url, valid, rng, rounds, accepted=redirected):
    """`accepted(response)`: the form took the body (then its rows may exist, whole)."""
    for n in range(rounds):
        body = mutate(rng, valid)
        before = counts()
        response = client.post(url, body)
        where = f"seed {SEED} round {n} POST {url} {body!r:.600}"
        assert response.status_code < 500, where
        if not accepted(response):
            assert counts() == before, where


def registered(response):
    return any(t.name == "aprweb/register_done.html" for t in response.templates)


@pytest.fixture
def rng():
    return random.Random(SEED)


def test_public_forms(client, rng, customer):
    factories.StaffFactory(username="bf.staff")
    targets = [
        ("/accounts/login/", {"username": customer.email, "password": "wrong-password"}),
        ("/admin/login/", {"username": "bf.staff", "password": "wrong-password"}),
        ("/apr/", {"username": "111.444.777-35", "password": "wrong-password"}),
        ("/accounts/password_reset/", {"email": customer.email}),
        ("/acompanhamento/", {"protocol": "2026000000001", "document": "529.982.247-25"}),
    ]
    for url, valid in targets:
        fuzz(client, url, valid, rng, ROUNDS)
    fuzz(client, reverse("aprweb:register"), RT_FORM, rng, ROUNDS, accepted=registered)
    # A mutated registration may still be a valid one (the generator can leave it intact), but a CPF is never
    # registered twice.
    assert RTRegistration.objects.count() == RTRegistration.objects.values("cpf").distinct().count()


def test_the_customer_request_forms(client, rng, customer, installation):
    client.force_login(customer)
    for name, mode_data in (("atende:new", request_data()), ("atende:consultation_new", request_data())):
        fuzz(client, reverse(name, args=[installation.number]), mode_data, rng, ROUNDS)
    for draft in Case.objects.filter(state="draft"):
        # A draft that was accepted is whole: it has its holder from the registry.
        assert draft.document == installation.customer.document


def test_the_rt_order_forms(client, rng, customer, installation, rt, rt_registration):
    case = make_case(customer, installation, state="awaiting_technical")
    client.post("/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD})
    lookup = {
        "lookup": "1",
        "protocol": case.protocol,
        "person_type": "PF",
        "document": case.document,
        "claim_code": case.claim_code,
    }
    fuzz(client, reverse("aprweb:order_new"), lookup, rng, ROUNDS // 2)
    register = {**lookup, "register": "1", **order_data()}
    register.pop("lookup")
    fuzz(client, reverse("aprweb:order_new"), register, rng, ROUNDS)
    for query in ({"sent_to": v} for v in HOSTILE):
        assert client.get(reverse("aprweb:orders"), query).status_code < 500, query
    for query in ({name: v} for v in HOSTILE for name in ("after", "before", "page")):
        assert client.get(reverse("aprweb:orders"), query).status_code < 500, query


@pytest.fixture
def rt_registration(rt):
    return factories.RTRegistrationFactory(
        name="Paulo Andrade", cpf=rt.cpf, email=rt.email, status="approved", user=rt
    )
