import datetime
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.page_product import PageProduct
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    tenant: str,
    *,
    page: int | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: str | Unset = "created_at",
    q: str | Unset = UNSET,
    min_price: int | Unset = UNSET,
    max_price: int | Unset = UNSET,
    currency: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    in_stock: bool | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["per_page"] = per_page

    params["cursor"] = cursor

    params["sort"] = sort

    params["q"] = q

    params["min_price"] = min_price

    params["max_price"] = max_price

    params["currency"] = currency

    json_created_after: str | Unset = UNSET
    if not isinstance(created_after, Unset):
        json_created_after = created_after.isoformat()
    params["created_after"] = json_created_after

    params["in_stock"] = in_stock

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/t/{tenant}/api/v1/products".format(
            tenant=quote(str(tenant), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | PageProduct | Problem | None:
    if response.status_code == 200:
        response_200 = PageProduct.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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
) -> Response[Any | PageProduct | Problem]:
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
    page: int | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: str | Unset = "created_at",
    q: str | Unset = UNSET,
    min_price: int | Unset = UNSET,
    max_price: int | Unset = UNSET,
    currency: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    in_stock: bool | Unset = UNSET,
) -> Response[Any | PageProduct | Problem]:
    """List the tenant's products

     A page at a time (`page`, with `total` and `Link`), or by `cursor` (pass the
    `next_cursor` of the previous page; as fast at any depth). Sorted by `sort`, oldest
    first by default; narrowed by the filters.

    Args:
        tenant (str):
        page (int | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (str | Unset):  Default: 'created_at'. Example: -created_at,name.
        q (str | Unset):
        min_price (int | Unset):
        max_price (int | Unset):
        currency (str | Unset):
        created_after (datetime.datetime | Unset):
        in_stock (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PageProduct | Problem]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        page=page,
        per_page=per_page,
        cursor=cursor,
        sort=sort,
        q=q,
        min_price=min_price,
        max_price=max_price,
        currency=currency,
        created_after=created_after,
        in_stock=in_stock,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    tenant: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: str | Unset = "created_at",
    q: str | Unset = UNSET,
    min_price: int | Unset = UNSET,
    max_price: int | Unset = UNSET,
    currency: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    in_stock: bool | Unset = UNSET,
) -> Any | PageProduct | Problem | None:
    """List the tenant's products

     A page at a time (`page`, with `total` and `Link`), or by `cursor` (pass the
    `next_cursor` of the previous page; as fast at any depth). Sorted by `sort`, oldest
    first by default; narrowed by the filters.

    Args:
        tenant (str):
        page (int | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (str | Unset):  Default: 'created_at'. Example: -created_at,name.
        q (str | Unset):
        min_price (int | Unset):
        max_price (int | Unset):
        currency (str | Unset):
        created_after (datetime.datetime | Unset):
        in_stock (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PageProduct | Problem
    """

    return sync_detailed(
        tenant=tenant,
        client=client,
        page=page,
        per_page=per_page,
        cursor=cursor,
        sort=sort,
        q=q,
        min_price=min_price,
        max_price=max_price,
        currency=currency,
        created_after=created_after,
        in_stock=in_stock,
    ).parsed


async def asyncio_detailed(
    tenant: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: str | Unset = "created_at",
    q: str | Unset = UNSET,
    min_price: int | Unset = UNSET,
    max_price: int | Unset = UNSET,
    currency: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    in_stock: bool | Unset = UNSET,
) -> Response[Any | PageProduct | Problem]:
    """List the tenant's products

     A page at a time (`page`, with `total` and `Link`), or by `cursor` (pass the
    `next_cursor` of the previous page; as fast at any depth). Sorted by `sort`, oldest
    first by default; narrowed by the filters.

    Args:
        tenant (str):
        page (int | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (str | Unset):  Default: 'created_at'. Example: -created_at,name.
        q (str | Unset):
        min_price (int | Unset):
        max_price (int | Unset):
        currency (str | Unset):
        created_after (datetime.datetime | Unset):
        in_stock (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PageProduct | Problem]
    """

    kwargs = _get_kwargs(
        tenant=tenant,
        page=page,
        per_page=per_page,
        cursor=cursor,
        sort=sort,
        q=q,
        min_price=min_price,
        max_price=max_price,
        currency=currency,
        created_after=created_after,
        in_stock=in_stock,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    tenant: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: str | Unset = UNSET,
    sort: str | Unset = "created_at",
    q: str | Unset = UNSET,
    min_price: int | Unset = UNSET,
    max_price: int | Unset = UNSET,
    currency: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    in_stock: bool | Unset = UNSET,
) -> Any | PageProduct | Problem | None:
    """List the tenant's products

     A page at a time (`page`, with `total` and `Link`), or by `cursor` (pass the
    `next_cursor` of the previous page; as fast at any depth). Sorted by `sort`, oldest
    first by default; narrowed by the filters.

    Args:
        tenant (str):
        page (int | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (str | Unset):
        sort (str | Unset):  Default: 'created_at'. Example: -created_at,name.
        q (str | Unset):
        min_price (int | Unset):
        max_price (int | Unset):
        currency (str | Unset):
        created_after (datetime.datetime | Unset):
        in_stock (bool | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PageProduct | Problem
    """

    return (
        await asyncio_detailed(
            tenant=tenant,
            client=client,
            page=page,
            per_page=per_page,
            cursor=cursor,
            sort=sort,
            q=q,
            min_price=min_price,
            max_price=max_price,
            currency=currency,
            created_after=created_after,
            in_stock=in_stock,
        )
    ).parsed
