from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.client_create import ClientCreate
from ...models.client_created import ClientCreated
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    tenant: str,
    *,
    body: ClientCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/t/{tenant}/admin/v1/clients".format(
            tenant=quote(str(tenant), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ClientCreated | Problem | None:
    if response.status_code == 201:
        response_201 = ClientCreated.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())

        return response_412

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 428:
        response_428 = Problem.from_dict(response.json())

        return response_428

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = Problem.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = Problem.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ClientCreated | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    tenant: str,
    *,
    client: AuthenticatedClient,
    body: ClientCreate,
) -> Response[ClientCreated | Problem]:
    """Register a client

     The server generates `client_id` and a 256-bit `client_secret`, returned only in this
    response and stored only as a keyed hash.

    Args:
        tenant (str):
        body (ClientCreate): A new client, in RFC 7591 metadata names. Example: {'client_name':
            'Inventory sync', 'grant_types': ['client_credentials'], 'redirect_uris': None, 'scope':
            'products:read products:write', 'token_endpoint_auth_method': 'client_secret_basic',
            'id_token_signed_response_alg': None, 'jwks': None, 'access_token_format': None,
            'resource_server': None, 'require_pushed_authorization_requests': None,
            'dpop_bound_access_tokens': None}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClientCreated | Problem]
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
    client: AuthenticatedClient,
    body: ClientCreate,
) -> ClientCreated | Problem | None:
    """Register a client

     The server generates `client_id` and a 256-bit `client_secret`, returned only in this
    response and stored only as a keyed hash.

    Args:
        tenant (str):
        body (ClientCreate): A new client, in RFC 7591 metadata names. Example: {'client_name':
            'Inventory sync', 'grant_types': ['client_credentials'], 'redirect_uris': None, 'scope':
            'products:read products:write', 'token_endpoint_auth_method': 'client_secret_basic',
            'id_token_signed_response_alg': None, 'jwks': None, 'access_token_format': None,
            'resource_server': None, 'require_pushed_authorization_requests': None,
            'dpop_bound_access_tokens': None}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClientCreated | Problem
    """

    return sync_detailed(
        tenant=tenant,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    tenant: str,
    *,
    client: AuthenticatedClient,
    body: ClientCreate,
) -> Response[ClientCreated | Problem]:
    """Register a client

     The server generates `client_id` and a 256-bit `client_secret`, returned only in this
    response and stored only as a keyed hash.

    Args:
        tenant (str):
        body (ClientCreate): A new client, in RFC 7591 metadata names. Example: {'client_name':
            'Inventory sync', 'grant_types': ['client_credentials'], 'redirect_uris': None, 'scope':
            'products:read products:write', 'token_endpoint_auth_method': 'client_secret_basic',
            'id_token_signed_response_alg': None, 'jwks': None, 'access_token_format': None,
            'resource_server': None, 'require_pushed_authorization_requests': None,
            'dpop_bound_access_tokens': None}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClientCreated | Problem]
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
    client: AuthenticatedClient,
    body: ClientCreate,
) -> ClientCreated | Problem | None:
    """Register a client

     The server generates `client_id` and a 256-bit `client_secret`, returned only in this
    response and stored only as a keyed hash.

    Args:
        tenant (str):
        body (ClientCreate): A new client, in RFC 7591 metadata names. Example: {'client_name':
            'Inventory sync', 'grant_types': ['client_credentials'], 'redirect_uris': None, 'scope':
            'products:read products:write', 'token_endpoint_auth_method': 'client_secret_basic',
            'id_token_signed_response_alg': None, 'jwks': None, 'access_token_format': None,
            'resource_server': None, 'require_pushed_authorization_requests': None,
            'dpop_bound_access_tokens': None}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClientCreated | Problem
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            client=client,
            body=body,
        )
    ).parsed
