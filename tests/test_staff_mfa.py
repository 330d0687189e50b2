"""Optional MFA for staff (SPEC §10): a staff user with a TOTP device signs in to the admin with a token."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def current_token(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def enrolled(commercial_analyst):
    return TOTPDevice.objects.create(user=commercial_analyst, name="celular", confirmed=True)


def admin_login(client, **extra):
    return client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": "analista.comercial", "password": PASSWORD, **extra},
    )


def test_staff_without_a_device_signs_in_with_the_password(client, commercial_analyst):
    assert admin_login(client).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_enrolled_staff_needs_the_token(client, enrolled):
    response = admin_login(client)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert (
        admin_login(client, otp_device=enrolled.persistent_id, otp_token=current_token(enrolled)).status_code
        == 302
    )
    assert client.get("/admin/").status_code == 200


def test_a_wrong_token_is_refused_and_throttles_the_device(client, enrolled):
    admin_login(client, otp_device=enrolled.persistent_id, otp_token="000000")
    assert "_auth_user_id" not in client.session
    # django-otp backs off after a failure: even the right token is refused until the delay passes.
    admin_login(client, otp_device=enrolled.persistent_id, otp_token=current_token(enrolled))
    assert "_auth_user_id" not in client.session
    enrolled.refresh_from_db()
    assert enrolled.throttling_failure_count == 1  # the throttled attempt was not even checked


def test_an_unverified_session_does_not_open_the_admin(client, commercial_analyst, enrolled):
    client.force_login(commercial_analyst)  # a session that skipped the token
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_mfa_can_be_required_for_every_staff_user(client, commercial_analyst, settings):
    settings.GD_STAFF_MFA_REQUIRED = True
    admin_login(client)
    assert "_auth_user_id" not in client.session


def test_an_admin_page_looks_the_staff_members_devices_up_once(client, commercial_analyst):
    # Issue 17: each admin request asked for the TOTP devices at every permission check (6 queries a list).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(commercial_analyst)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:atende_commercialqueue_changelist")).status_code == 200
    device_lookups = [q["sql"] for q in queries.captured_queries if "otp_" in q["sql"]]
    assert len(device_lookups) == 1  # the TOTP devices, once per request (it was once per permission check)
