import pytest
from rest_framework.test import APIClient

from gdportal.api.models import ApiToken


def token_client(user, name="ERP"):
    """A client calling the API as `user` with a fresh personal token (and the token row, for revoking)."""
    row, raw = ApiToken.issue(user=user, name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.token = row
    return client


@pytest.fixture
def api_as():
    return token_client
