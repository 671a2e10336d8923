"""A third-party app of the quickstart (docs/quickstart.md): it signs a user of a Gatehouse
tenant in with the authorization code flow and PKCE (authlib), then calls the tenant's API
through the generated SDK (sdk/python/gatehouse-resources).

    GATEHOUSE_URL=http://127.0.0.1:8080 TENANT=acme CLIENT_ID=... CLIENT_SECRET=... python app.py
"""

import http.server
import os
import threading
import webbrowser

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from gatehouse_resources import AuthenticatedClient
from gatehouse_resources.api.products import list_products
from gatehouse_resources.models import Problem

BASE = os.environ.get("GATEHOUSE_URL", "http://127.0.0.1:8080")
TENANT = os.environ.get("TENANT", "acme")
ISSUER = f"{BASE}/t/{TENANT}"
REDIRECT_URI = "http://127.0.0.1:8765/callback"


def wait_for_redirect() -> str:
    """Serves the redirect URI once and returns the URL the browser came back to."""
    arrived: dict[str, str] = {}

    class Callback(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            arrived["url"] = f"http://127.0.0.1:8765{self.path}"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"Signed in; you can close this tab.")

        def log_message(self, *args):
            pass

    with http.server.HTTPServer(("127.0.0.1", 8765), Callback) as server:
        server.handle_request()
    return arrived["url"]


def main() -> None:
    # Every endpoint comes from the issuer's discovery document.
    metadata = requests.get(f"{ISSUER}/.well-known/openid-configuration", timeout=10).json()
    oauth = OAuth2Session(
        os.environ["CLIENT_ID"],
        os.environ["CLIENT_SECRET"],
        scope="openid products:read",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier = generate_token(64)
    url, state = oauth.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier
    )

    # The user signs in and consents in their browser; the app waits on its redirect URI.
    returned = []
    waiter = threading.Thread(target=lambda: returned.append(wait_for_redirect()))
    waiter.start()
    print(f"Sign in at:\n{url}\n", flush=True)
    if not os.environ.get("NO_BROWSER"):
        webbrowser.open(url)
    waiter.join()

    # authlib checks `state` and sends the PKCE verifier with the code.
    token = oauth.fetch_token(
        metadata["token_endpoint"],
        authorization_response=returned[0],
        state=state,
        code_verifier=verifier,
    )
    print("scopes granted:", token["scope"])

    # The API, through the generated SDK, with the user's access token.
    with AuthenticatedClient(base_url=BASE, token=token["access_token"]) as api:
        page = list_products.sync(TENANT, client=api, per_page=10)
        if isinstance(page, Problem):
            raise SystemExit(f"{page.status} {page.title}: {page.detail}")
        for product in page.items:
            print(f"{product.sku:12} {product.name:30} {product.price.amount / 100:8.2f} {product.price.currency}")


if __name__ == "__main__":
    main()
