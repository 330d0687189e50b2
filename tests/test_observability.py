"""Issue 17 part 5: request ids, JSON logs, /readyz, /metrics."""

import json
import logging

import pytest
from celery.signals import before_task_publish, task_prerun
from django.core import mail
from django.urls import reverse

from gdportal import requestid
from gdportal.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

RID = "nginx0123456789abcdef0123456789ab"


@pytest.fixture
def tasks_run():
    """(task name, request id the task ran under) for every task run in-process."""
    seen = []

    def record(task=None, **kwargs):
        seen.append((task.name, requestid.get()))

    task_prerun.connect(record, weak=False, dispatch_uid="test-observability")
    yield seen
    task_prerun.disconnect(dispatch_uid="test-observability")


def test_a_requests_id_is_in_its_log_line_in_the_task_it_queued_and_in_the_emails_headers(
    client, customer, caplog, tasks_run, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="gdportal.access")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_reset") + "?next=secret",
            {"email": customer.email},
            HTTP_X_REQUEST_ID=RID,
        )
    assert response.status_code == 302 and response[requestid.HEADER] == RID
    # The access line: the id, the path without its query string, no personal data.
    (line,) = [r for r in caplog.records if r.name == "gdportal.access"]
    assert line.request_id == RID and line.path == "/accounts/password_reset/" and line.status == 302
    assert line.method == "POST" and line.user_id is None and line.duration_ms >= 0
    assert "secret" not in line.getMessage() and customer.email not in str(vars(line))
    # The task published after commit (the reset's row is rendered by the sender) ran under the request's id:
    # its headers carried it, the request itself was over by then.
    assert tasks_run == [("notifications.send_pending", RID)]
    assert OutboundEmail.objects.get().request_id == RID
    assert mail.outbox[0].extra_headers["X-Request-ID"] == RID
    assert requestid.get() == ""  # cleared once the response is closed


def test_an_unusable_id_is_replaced_by_a_fresh_one(client, caplog):
    caplog.set_level(logging.INFO, logger="gdportal.access")
    for sent in ("short", "x" * 65, "abc def ghi jkl", "aaaaaaaa\nFAKE LOG LINE"):
        answered = client.get("/healthz", HTTP_X_REQUEST_ID=sent)[requestid.HEADER]
        assert answered != sent and requestid.SANE.fullmatch(answered)
    assert client.get("/healthz")[requestid.HEADER] != client.get("/healthz")[requestid.HEADER]


def test_a_real_publish_puts_the_id_in_the_message_headers():
    headers = {}
    token = requestid._current.set(RID)
    try:
        before_task_publish.send(sender="notifications.send_email", headers=headers, body=((1,), {}, {}))
    finally:
        requestid._current.reset(token)
    assert headers == {requestid.TASK_HEADER: RID}
    # Outside a request nothing is added (beat's tasks run under their own task id).
    empty = {}
    before_task_publish.send(sender="notifications.send_email", headers=empty, body=((1,), {}, {}))
    assert empty == {}


def test_a_task_without_a_request_runs_under_its_own_id(tasks_run):
    from gdportal.notifications.tasks import send_pending

    result = send_pending.apply()
    assert tasks_run == [("notifications.send_pending", result.id)]


def test_production_log_lines_are_json_with_the_request_id():
    from pythonjsonlogger.json import JsonFormatter

    from gdportal import settings as project_settings

    fmt = project_settings.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(fmt=fmt["fmt"], rename_fields=fmt["rename_fields"])
    record = logging.LogRecord("gdportal.x", logging.WARNING, __file__, 1, "outbox %s stuck", (7,), None)
    token = requestid._current.set(RID)
    try:
        requestid.RequestIdFilter().filter(record)
    finally:
        requestid._current.reset(token)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == RID and line["message"] == "outbox 7 stuck" and line["level"] == "WARNING"


# --- /readyz ---------------------------------------------------------------------------------------------


def test_readyz_is_200_when_database_cache_and_storage_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok"}


def test_readyz_is_503_when_the_storage_is_gone(client, settings, tmp_path):
    missing = tmp_path / "file"
    missing.write_text("not a folder")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": missing / "media"},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["storage"] == "unavailable"
    assert client.get("/healthz").status_code == 200  # the load balancer's check is the database alone


# --- /metrics --------------------------------------------------------------------------------------------


@pytest.fixture
def metrics_token(settings):
    settings.GD_METRICS_TOKEN = "metrics-token-for-tests-0123456789"
    return settings.GD_METRICS_TOKEN


def test_metrics_are_a_404_without_the_token(client, metrics_token):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=metrics_token).status_code == 404  # no "Bearer "


def test_metrics_are_a_404_for_everyone_when_no_token_is_set(client, settings):
    settings.GD_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_metrics_with_the_token_carry_the_portals_gauges(client, metrics_token):
    OutboundEmail.objects.create(to=["a@example.com"], template="password_reset")
    client.post("/healthz", {"a": "b"}, content_type="multipart/form-data; boundary=x")  # refused: 415
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}")
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    text = response.content.decode()
    assert "gdportal_outbox_queued_emails 1.0" in text
    assert "gdportal_deadlines_overdue 0.0" in text
    assert 'gdportal_webhook_deliveries_pending{status="queued"} 0.0' in text
    assert 'gdportal_uploads_refused_total{reason="multipart_not_accepted"}' in text
    assert "django_http_requests_total_by_method_total" in text  # django-prometheus' own


def test_metrics_from_the_internal_network_only_when_not_through_the_proxy(client, settings):
    settings.GD_METRICS_TOKEN = ""
    settings.GD_METRICS_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 404
    # Through nginx the address is the proxy's own: never enough.
    proxied = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.status_code == 404
