from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.introspection_body import IntrospectionBody
from ...models.o_auth_error_body import OAuthErrorBody
from ...models.token_query import TokenQuery
from ...types import Response


def _get_kwargs(
    tenant: str,
    *,
    body: TokenQuery,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/t/{tenant}/oauth2/revoke".format(
            tenant=quote(str(tenant), safe=""),
        ),
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> IntrospectionBody | OAuthErrorBody | None:
    if response.status_code == 200:
        response_200 = IntrospectionBody.from_dict(response.json())

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
) -> Response[IntrospectionBody | OAuthErrorBody]:
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
    body: TokenQuery,
) -> Response[IntrospectionBody | OAuthErrorBody]:
    """Token revocation (RFC 7009)

     Revokes a refresh token (with its family) or an access token of the calling client. The
    gateway refuses a revoked access token from then on. Answers 200 also for tokens that
    were not valid.

    Args:
        tenant (str):
        body (TokenQuery): A token to introspect or revoke (RFC 7662 §2.1, RFC 7009 §2.1), form
            encoded, with the
            client's credentials as at the token endpoint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IntrospectionBody | OAuthErrorBody]
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
    body: TokenQuery,
) -> IntrospectionBody | OAuthErrorBody | None:
    """Token revocation (RFC 7009)

     Revokes a refresh token (with its family) or an access token of the calling client. The
    gateway refuses a revoked access token from then on. Answers 200 also for tokens that
    were not valid.

    Args:
        tenant (str):
        body (TokenQuery): A token to introspect or revoke (RFC 7662 §2.1, RFC 7009 §2.1), form
            encoded, with the
            client's credentials as at the token endpoint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IntrospectionBody | OAuthErrorBody
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
    body: TokenQuery,
) -> Response[IntrospectionBody | OAuthErrorBody]:
    """Token revocation (RFC 7009)

     Revokes a refresh token (with its family) or an access token of the calling client. The
    gateway refuses a revoked access token from then on. Answers 200 also for tokens that
    were not valid.

    Args:
        tenant (str):
        body (TokenQuery): A token to introspect or revoke (RFC 7662 §2.1, RFC 7009 §2.1), form
            encoded, with the
            client's credentials as at the token endpoint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IntrospectionBody | OAuthErrorBody]
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
    body: TokenQuery,
) -> IntrospectionBody | OAuthErrorBody | None:
    """Token revocation (RFC 7009)

     Revokes a refresh token (with its family) or an access token of the calling client. The
    gateway refuses a revoked access token from then on. Answers 200 also for tokens that
    were not valid.

    Args:
        tenant (str):
        body (TokenQuery): A token to introspect or revoke (RFC 7662 §2.1, RFC 7009 §2.1), form
            encoded, with the
            client's credentials as at the token endpoint.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IntrospectionBody | OAuthErrorBody
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            client=client,
            body=body,
        )
    ).parsed
