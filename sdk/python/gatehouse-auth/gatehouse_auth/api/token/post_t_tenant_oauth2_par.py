from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.o_auth_error_body import OAuthErrorBody
from ...models.pushed_authorization_request import PushedAuthorizationRequest
from ...models.pushed_body import PushedBody
from ...types import Response


def _get_kwargs(
    tenant: str,
    *,
    body: PushedAuthorizationRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/t/{tenant}/oauth2/par".format(
            tenant=quote(str(tenant), safe=""),
        ),
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> OAuthErrorBody | PushedBody | None:
    if response.status_code == 201:
        response_201 = PushedBody.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = OAuthErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = OAuthErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = OAuthErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 500:
        response_500 = OAuthErrorBody.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = OAuthErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[OAuthErrorBody | PushedBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant: str,
    *,
    client: AuthenticatedClient | Client,
    body: PushedAuthorizationRequest,
) -> Response[OAuthErrorBody | PushedBody]:
    """Pushed authorization request (RFC 9126)

     The client posts its authorization request here first, authenticated as at the token
    endpoint, and sends the browser to the authorization endpoint with only `client_id` and
    the `request_uri` it gets back, which works once, within `expires_in` seconds. A tenant
    or a client may require it.

    Args:
        tenant (str):
        body (PushedAuthorizationRequest): An authorization request (RFC 6749 §4.1.1, RFC 7636,
            RFC 8707), form encoded, with the
            client's authentication as at the token endpoint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OAuthErrorBody | PushedBody]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant: str,
    *,
    client: AuthenticatedClient | Client,
    body: PushedAuthorizationRequest,
) -> OAuthErrorBody | PushedBody | None:
    """Pushed authorization request (RFC 9126)

     The client posts its authorization request here first, authenticated as at the token
    endpoint, and sends the browser to the authorization endpoint with only `client_id` and
    the `request_uri` it gets back, which works once, within `expires_in` seconds. A tenant
    or a client may require it.

    Args:
        tenant (str):
        body (PushedAuthorizationRequest): An authorization request (RFC 6749 §4.1.1, RFC 7636,
            RFC 8707), form encoded, with the
            client's authentication as at the token endpoint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OAuthErrorBody | PushedBody
    """

    return sync_detailed(
        tenant=tenant,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    tenant: str,
    *,
    client: AuthenticatedClient | Client,
    body: PushedAuthorizationRequest,
) -> Response[OAuthErrorBody | PushedBody]:
    """Pushed authorization request (RFC 9126)

     The client posts its authorization request here first, authenticated as at the token
    endpoint, and sends the browser to the authorization endpoint with only `client_id` and
    the `request_uri` it gets back, which works once, within `expires_in` seconds. A tenant
    or a client may require it.

    Args:
        tenant (str):
        body (PushedAuthorizationRequest): An authorization request (RFC 6749 §4.1.1, RFC 7636,
            RFC 8707), form encoded, with the
            client's authentication as at the token endpoint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OAuthErrorBody | PushedBody]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant: str,
    *,
    client: AuthenticatedClient | Client,
    body: PushedAuthorizationRequest,
) -> OAuthErrorBody | PushedBody | None:
    """Pushed authorization request (RFC 9126)

     The client posts its authorization request here first, authenticated as at the token
    endpoint, and sends the browser to the authorization endpoint with only `client_id` and
    the `request_uri` it gets back, which works once, within `expires_in` seconds. A tenant
    or a client may require it.

    Args:
        tenant (str):
        body (PushedAuthorizationRequest): An authorization request (RFC 6749 §4.1.1, RFC 7636,
            RFC 8707), form encoded, with the
            client's authentication as at the token endpoint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OAuthErrorBody | PushedBody
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            client=client,
            body=body,
        )
    ).parsed
