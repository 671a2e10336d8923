from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.o_auth_error_body import OAuthErrorBody
from ...models.registered_client import RegisteredClient
from ...types import Response


def _get_kwargs(
    tenant: str,
    client_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/t/{tenant}/oauth2/register/{client_id}".format(
            tenant=quote(str(tenant), safe=""),
            client_id=quote(str(client_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | OAuthErrorBody | RegisteredClient | None:
    if response.status_code == 200:
        response_200 = RegisteredClient.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = RegisteredClient.from_dict(response.json())

        return response_201

    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 400:
        response_400 = OAuthErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = OAuthErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = OAuthErrorBody.from_dict(response.json())

        return response_403

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
) -> Response[Any | OAuthErrorBody | RegisteredClient]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant: str,
    client_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Any | OAuthErrorBody | RegisteredClient]:
    """Delete a registration (RFC 7592 §2.3)

     The client goes, with every token it was given.

    Args:
        tenant (str):
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | OAuthErrorBody | RegisteredClient]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        client_id=client_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant: str,
    client_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Any | OAuthErrorBody | RegisteredClient | None:
    """Delete a registration (RFC 7592 §2.3)

     The client goes, with every token it was given.

    Args:
        tenant (str):
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | OAuthErrorBody | RegisteredClient
    """

    return sync_detailed(
        tenant=tenant,
        client_id=client_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    tenant: str,
    client_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Any | OAuthErrorBody | RegisteredClient]:
    """Delete a registration (RFC 7592 §2.3)

     The client goes, with every token it was given.

    Args:
        tenant (str):
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | OAuthErrorBody | RegisteredClient]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        client_id=client_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant: str,
    client_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Any | OAuthErrorBody | RegisteredClient | None:
    """Delete a registration (RFC 7592 §2.3)

     The client goes, with every token it was given.

    Args:
        tenant (str):
        client_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | OAuthErrorBody | RegisteredClient
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            client_id=client_id,
            client=client,
        )
    ).parsed
