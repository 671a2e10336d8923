from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.device_authorization_body import DeviceAuthorizationBody
from ...models.device_authorization_request import DeviceAuthorizationRequest
from ...models.o_auth_error_body import OAuthErrorBody
from ...types import Response


def _get_kwargs(
    tenant: str,
    *,
    body: DeviceAuthorizationRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/t/{tenant}/oauth2/device_authorization".format(
            tenant=quote(str(tenant), safe=""),
        ),
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeviceAuthorizationBody | OAuthErrorBody | None:
    if response.status_code == 200:
        response_200 = DeviceAuthorizationBody.from_dict(response.json())

        return response_200

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
) -> Response[DeviceAuthorizationBody | OAuthErrorBody]:
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
    body: DeviceAuthorizationRequest,
) -> Response[DeviceAuthorizationBody | OAuthErrorBody]:
    """Device authorization (RFC 8628)

     A device without a browser (a TV, a CLI) gets a `user_code` for a person to enter at
    `verification_uri`, and a `device_code` with which it polls the token endpoint every
    `interval` seconds until the person approves or denies it.

    Args:
        tenant (str):
        body (DeviceAuthorizationRequest): A device's request for a user code, form encoded, with
            the client's authentication as at
            the token endpoint (a public client sends its `client_id`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeviceAuthorizationBody | OAuthErrorBody]
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
    body: DeviceAuthorizationRequest,
) -> DeviceAuthorizationBody | OAuthErrorBody | None:
    """Device authorization (RFC 8628)

     A device without a browser (a TV, a CLI) gets a `user_code` for a person to enter at
    `verification_uri`, and a `device_code` with which it polls the token endpoint every
    `interval` seconds until the person approves or denies it.

    Args:
        tenant (str):
        body (DeviceAuthorizationRequest): A device's request for a user code, form encoded, with
            the client's authentication as at
            the token endpoint (a public client sends its `client_id`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeviceAuthorizationBody | OAuthErrorBody
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
    body: DeviceAuthorizationRequest,
) -> Response[DeviceAuthorizationBody | OAuthErrorBody]:
    """Device authorization (RFC 8628)

     A device without a browser (a TV, a CLI) gets a `user_code` for a person to enter at
    `verification_uri`, and a `device_code` with which it polls the token endpoint every
    `interval` seconds until the person approves or denies it.

    Args:
        tenant (str):
        body (DeviceAuthorizationRequest): A device's request for a user code, form encoded, with
            the client's authentication as at
            the token endpoint (a public client sends its `client_id`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeviceAuthorizationBody | OAuthErrorBody]
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
    body: DeviceAuthorizationRequest,
) -> DeviceAuthorizationBody | OAuthErrorBody | None:
    """Device authorization (RFC 8628)

     A device without a browser (a TV, a CLI) gets a `user_code` for a person to enter at
    `verification_uri`, and a `device_code` with which it polls the token endpoint every
    `interval` seconds until the person approves or denies it.

    Args:
        tenant (str):
        body (DeviceAuthorizationRequest): A device's request for a user code, form encoded, with
            the client's authentication as at
            the token endpoint (a public client sends its `client_id`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeviceAuthorizationBody | OAuthErrorBody
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            client=client,
            body=body,
        )
    ).parsed
