"""What every test of the SDK needs: where the platform is, a client's credentials, a token.

`scripts/sdk.sh test python` runs these tests; tests/api/sdk.rs starts a platform, creates a
tenant and a client, and sets:

- GATEHOUSE_SDK_BASE_URL: the gateway, e.g. http://127.0.0.1:8080
- GATEHOUSE_SDK_TENANT: the tenant's slug
- GATEHOUSE_SDK_CLIENT_ID, GATEHOUSE_SDK_CLIENT_SECRET: a confidential client of that tenant
  with the client_credentials grant (client_secret_basic) and the scopes in SCOPES.

A missing variable fails the tests: they never skip.
"""

import os
import uuid
from dataclasses import dataclass

import pytest
from gatehouse_auth import Client
from gatehouse_auth.api.token import post_t_tenant_oauth2_token
from gatehouse_auth.models import OAuthErrorBody, TokenBody, TokenRequest
from gatehouse_resources import AuthenticatedClient

SCOPES = "products:read products:write customers:read customers:write orders:read orders:write"


@dataclass(frozen=True)
class Settings:
    base_url: str
    tenant: str
    client_id: str
    client_secret: str


@pytest.fixture(scope="session")
def settings() -> Settings:
    names = [
        "GATEHOUSE_SDK_BASE_URL",
        "GATEHOUSE_SDK_TENANT",
        "GATEHOUSE_SDK_CLIENT_ID",
        "GATEHOUSE_SDK_CLIENT_SECRET",
    ]
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        pytest.fail(
            f"set {', '.join(missing)}: these tests run against a platform "
            "(tests/api/sdk.rs starts one and runs `scripts/sdk.sh test python`)"
        )
    return Settings(*(os.environ[name] for name in names))


def fetch_token(settings: Settings, scope: str = SCOPES) -> TokenBody | OAuthErrorBody | None:
    """The token operation of the auth document, client_credentials with HTTP Basic."""
    auth = Client(
        base_url=settings.base_url,
        httpx_args={"auth": (settings.client_id, settings.client_secret)},
    )
    with auth:
        return post_t_tenant_oauth2_token.sync(
            settings.tenant,
            client=auth,
            body=TokenRequest(grant_type="client_credentials", scope=scope),
        )


@pytest.fixture(scope="session")
def token(settings: Settings) -> str:
    issued = fetch_token(settings)
    assert isinstance(issued, TokenBody), f"a token: {issued!r}"
    return issued.access_token


@pytest.fixture
def api(settings: Settings, token: str):
    """The resource API's client, with the token."""
    with AuthenticatedClient(base_url=settings.base_url, token=token) as client:
        yield client


@pytest.fixture
def unique() -> str:
    """A prefix no other test's products share (SKUs are unique in the tenant)."""
    return f"T{uuid.uuid4().hex[:12].upper()}"
