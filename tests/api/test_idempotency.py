"""Idempotency-Key semantics on any POST of the API (SPEC §14), on a small view of the test URLs."""

import datetime as dt

import pytest
import time_machine
from django.urls import path
from rest_framework.response import Response

from gdportal.api.base import ApiView
from gdportal.api.idempotency import forget_expired
from gdportal.api.models import IdempotentAnswer

pytestmark = pytest.mark.django_db

CALLS = []


class Counter(ApiView):
    def post(self, request):
        CALLS.append(dict(request.data))
        if request.data.get("fail"):
            raise RuntimeError("the server failed")
        return Response({"n": len(CALLS)}, status=201, headers={"Location": f"/things/{len(CALLS)}/"})


urlpatterns = [path("api/v1/test-counter/", Counter.as_view())]


@pytest.fixture(autouse=True)
def counter_urls(settings):
    CALLS.clear()
    settings.ROOT_URLCONF = __name__


def post(api, key, body):
    return api.post("/api/v1/test-counter/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_and_body_gets_the_first_answer(customer, api_as):
    api = api_as(customer)
    first, retry = post(api, "k-1", {"a": 1}), post(api, "k-1", {"a": 1})
    assert len(CALLS) == 1
    assert retry.status_code == first.status_code == 201 and retry.json() == first.json() == {"n": 1}
    assert retry["Location"] == "/things/1/" and retry["Idempotent-Replayed"] == "true"
    assert post(api, "k-2", {"a": 1}).json() == {"n": 2}  # a new key is a new request
    assert api.post("/api/v1/test-counter/", {"a": 1}, format="json").json() == {"n": 3}  # no key: no memory


def test_the_same_key_with_another_body_is_a_422(customer, api_as):
    api = api_as(customer)
    post(api, "k-1", {"a": 1})
    answer = post(api, "k-1", {"a": 2})
    assert answer.status_code == 422 and answer["Content-Type"] == "application/problem+json"
    assert len(CALLS) == 1


def test_keys_are_per_user(customer, rt, api_as):
    post(api_as(customer), "shared", {"a": 1})
    assert post(api_as(rt), "shared", {"a": 1}).json() == {"n": 2}


def test_a_server_error_releases_the_key_so_the_retry_runs_again(customer, api_as):
    api = api_as(customer)
    api.raise_request_exception = False
    assert post(api, "k-1", {"fail": True}).status_code == 500
    assert not IdempotentAnswer.objects.exists()
    CALLS.clear()
    assert post(api, "k-1", {"fail": False}).status_code == 201  # another body, but the key was released


def test_answers_are_forgotten_after_24_hours(customer, api_as):
    api = api_as(customer)
    with time_machine.travel(dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC), tick=False):
        post(api, "k-1", {"a": 1})
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False):
        assert post(api, "k-1", {"a": 2}).json() == {"n": 2}  # expired: the key is free again
        assert forget_expired() == 0
    with time_machine.travel(dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC), tick=False):
        assert forget_expired() == 1
