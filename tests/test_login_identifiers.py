"""One identifier, one account, one lockout counter: every spelling that could reach an account counts
against it (SPEC §10, brute-force lockout on both logins)."""

import sys

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from gdportal.accounts.identifiers import cpf_key, identifier_key
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/?next=/admin/"


def _code_points():
    return (chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF)


def test_the_key_is_the_same_for_every_character_a_case_insensitive_match_takes_for_the_same():
    # PostgreSQL's UPPER/LOWER and Python's case mappings: if two characters share an upper- or a lower-case
    # form, a case-insensitive lookup matches one with the other, so their keys must be equal.
    groups = {}
    for char in _code_points():
        for name, folded in (("upper", char.upper()), ("lower", char.lower())):
            if folded != char:
                groups.setdefault((name, folded), {folded} if len(folded) == 1 else set()).add(char)
    shared = [chars for chars in groups.values() if len(chars) > 1]
    assert len(shared) > 1000  # the check below has something to check
    assert [chars for chars in shared if len({identifier_key(c) for c in chars}) > 1] == []


def test_the_non_ascii_letters_django_accepts_in_an_email_fold_to_their_ascii_letter():
    # Django's EmailValidator matches [A-Z] with re.IGNORECASE, which also takes these four.
    assert [identifier_key(c) for c in "ıİſK"] == ["i", "i", "s", "k"]
    assert identifier_key("  Clıente.TEſTE@Example.COM ") == "cliente.teste@example.com"


def test_the_key_is_stable_and_keeps_accents():
    cased = [c for c in _code_points() if c.upper() != c or c.lower() != c or c.casefold() != c]
    assert all(identifier_key(identifier_key(c)) == identifier_key(c) for c in cased)
    assert (
        identifier_key("José@Exemplo.com.br")
        == "josé@exemplo.com.br"
        != identifier_key("jose@exemplo.com.br")
    )


def test_a_cpf_typed_with_other_digits_is_the_same_cpf():
    assert cpf_key("５２９.９８２.２４７-２５") == cpf_key("٥٢٩٩٨٢٢٤٧٢٥") == "52998224725"


# --- the admin (username) ---


@pytest.fixture
def bf_staff(db):
    return factories.StaffFactory(username="bf.staff")


def test_admin_lockout_of_a_username_holds_for_every_case_of_it(client, bf_staff):
    for _ in range(5):
        client.post(ADMIN_LOGIN, {"username": "bf.staff", "password": "errada"})
    response = client.post(ADMIN_LOGIN, {"username": "BF.STAFF", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_admin_failures_in_mixed_case_add_up_to_one_lockout(client, bf_staff):
    for name in ["BF.STAFF", "Bf.Staff", "bf.ſtaff", "BF.STAFF ", "bf.staff"]:
        client.post(ADMIN_LOGIN, {"username": name, "password": "errada"})
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"bf.staff"}
    assert client.post(ADMIN_LOGIN, {"username": "bf.staff", "password": PASSWORD}).status_code == 429


def test_staff_still_sign_in_with_their_name_in_any_case(client, bf_staff):
    assert client.post(ADMIN_LOGIN, {"username": "Bf.Staff", "password": PASSWORD}).status_code == 302


def test_a_username_that_folds_to_an_existing_one_is_refused(bf_staff):
    User = get_user_model()
    for i, name in enumerate(["BF.STAFF", "bf.ſtaff", "bf.sTaff"]):
        newcomer = User(username=name, email=f"novo{i}@example.com")
        newcomer.set_password(PASSWORD)
        with pytest.raises(ValidationError) as refused:
            newcomer.full_clean()
        assert "username" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="BF.Staff", email="other@example.com")


# --- Atende (e-mail) ---

VARIANTS = [
    "CLIENTE.TESTE@EXAMPLE.COM",
    "clıente.teste@example.com",  # dotless ı
    "CLİENTE.TESTE@example.com",  # dotted İ
    "cliente.teſte@example.com",  # long s
]


@pytest.fixture
def cliente(customer_record):
    return factories.UserFactory(customer=customer_record, username="cliente.teste@example.com")


def login_atende(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_locked_atende_account_stays_locked_under_another_spelling(client, cliente, variant):
    for _ in range(5):
        login_atende(client, "cliente.teste@example.com", "errada")
    response = login_atende(client, variant, PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_failures_under_every_spelling_count_against_the_one_account(client, cliente):
    for variant in [*VARIANTS, "cliente.teste@example.com"]:
        login_atende(client, variant, "errada")
    assert login_atende(client, "cliente.teste@example.com", PASSWORD).status_code == 429


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_customer_signs_in_under_a_spelling_that_folds_to_their_email(client, cliente, variant):
    # The same key finds the account and counts the failures: what may sign in is what gets locked.
    assert login_atende(client, variant, PASSWORD).status_code == 302


def test_an_email_that_folds_to_an_existing_one_is_refused_for_a_new_account(cliente):
    newcomer = get_user_model()(username="outra", email="clıente.teste@example.com")
    with pytest.raises(ValidationError) as refused:
        newcomer.full_clean()
    assert "email" in refused.value.message_dict


# --- APR Web (CPF) ---


def test_a_locked_cpf_stays_locked_when_typed_with_other_digits(client, rt):
    for _ in range(5):
        client.post(reverse("aprweb:login"), {"username": rt.cpf, "password": "errada"})
    fullwidth = "".join(chr(ord(d) + 0xFEE0) for d in rt.cpf)
    response = client.post(reverse("aprweb:login"), {"username": fullwidth, "password": "Apr-" + PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
