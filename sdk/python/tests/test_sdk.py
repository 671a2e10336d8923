"""The generated Python SDK used as an app developer would: a token, products (create, list by
cursor, a conditional update, delete), a customer's order, and problems as typed values."""

from http import HTTPStatus

from conftest import SCOPES, Settings, fetch_token
from gatehouse_auth.models import TokenBody
from gatehouse_resources import AuthenticatedClient
from gatehouse_resources.api.customers import create_customer
from gatehouse_resources.api.orders import create_order, get_order
from gatehouse_resources.api.products import (
    create_product,
    delete_product,
    get_product,
    list_products,
    replace_product,
)
from gatehouse_resources.models import (
    Customer,
    CustomerInput,
    FieldError,
    LineInput,
    Order,
    OrderInput,
    OrderStatus,
    PageProduct,
    Price,
    Problem,
    Product,
    ProductInput,
)
from gatehouse_resources.types import UNSET, Unset

VALIDATION = "urn:gatehouse:problem:validation"
CONFLICT = "urn:gatehouse:problem:conflict"
PRECONDITION_FAILED = "urn:gatehouse:problem:precondition-failed"
NOT_FOUND = "urn:gatehouse:problem:not-found"
INSUFFICIENT_STOCK = "urn:gatehouse:problem:insufficient-stock"


def new_product(api: AuthenticatedClient, tenant: str, name: str, sku: str, stock: int = 0) -> Product:
    response = create_product.sync_detailed(
        tenant,
        client=api,
        body=ProductInput(name=name, sku=sku, stock=stock, price=Price(amount=1999, currency="EUR")),
    )
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert isinstance(response.parsed, Product)
    return response.parsed


def with_if_match(settings: Settings, token: str, etag: str) -> AuthenticatedClient:
    """A client whose requests carry `If-Match`. The documents declare no If-Match parameter,
    so it goes on a client of its own (`with_headers` on a client in use would change that
    client too)."""
    return AuthenticatedClient(base_url=settings.base_url, token=token, headers={"If-Match": etag})


def test_token_from_the_auth_sdk(settings: Settings) -> None:
    issued = fetch_token(settings)
    assert isinstance(issued, TokenBody)
    assert issued.token_type == "Bearer"
    assert issued.expires_in > 0
    assert set(issued.scope.split()) == set(SCOPES.split())


def test_create_get_replace_with_if_match_and_delete(api, settings, token, unique) -> None:
    tenant = settings.tenant
    created = new_product(api, tenant, "Espresso cup", f"{unique}-CUP", stock=5)
    assert created.name == "Espresso cup"
    assert created.price.amount == 1999
    assert created.price.currency == "EUR"
    assert created.description == ""

    read = get_product.sync_detailed(tenant, str(created.id), client=api)
    assert read.status_code == HTTPStatus.OK
    assert isinstance(read.parsed, Product)
    assert read.parsed.id == created.id
    etag = read.headers["etag"]

    change = ProductInput(
        name="Espresso cup, blue",
        sku=f"{unique}-CUP",
        stock=7,
        description="Porcelain, 90 ml.",
        price=Price(amount=2499, currency="EUR"),
    )
    with with_if_match(settings, token, etag) as conditional:
        replaced = replace_product.sync_detailed(tenant, str(created.id), client=conditional, body=change)
        assert replaced.status_code == HTTPStatus.OK, replaced.content
        assert isinstance(replaced.parsed, Product)
        assert replaced.parsed.name == "Espresso cup, blue"
        assert replaced.parsed.price.amount == 2499
        assert replaced.parsed.stock == 7
        assert replaced.headers["etag"] != etag

        # The same version again: it is no longer current.
        stale = replace_product.sync_detailed(tenant, str(created.id), client=conditional, body=change)
        assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
        assert isinstance(stale.parsed, Problem)
        assert stale.parsed.type_ == PRECONDITION_FAILED
        assert stale.parsed.status == 412

    deleted = delete_product.sync_detailed(tenant, str(created.id), client=api)
    assert deleted.status_code == HTTPStatus.NO_CONTENT

    gone = get_product.sync_detailed(tenant, str(created.id), client=api)
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert isinstance(gone.parsed, Problem)
    assert gone.parsed.type_ == NOT_FOUND


def test_list_follows_the_cursor(api, settings, unique) -> None:
    tenant = settings.tenant
    made = [new_product(api, tenant, f"{unique} item {i}", f"{unique}-{i}") for i in range(3)]

    pages: list[PageProduct] = []
    cursor: str | Unset = UNSET
    while True:
        # page=UNSET: the document gives `page` a default (1), which the generated function
        # would send, and `page` may not be combined with `cursor`.
        page = list_products.sync(tenant, client=api, per_page=2, q=unique, cursor=cursor, page=UNSET)
        assert isinstance(page, PageProduct), page
        pages.append(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
        assert len(pages) < 10, "the cursor ends"

    assert [len(p.items) for p in pages] == [2, 1]
    assert [item.id for p in pages for item in p.items] == [p.id for p in made]


def test_a_customer_orders_a_product_in_stock(api, settings, unique) -> None:
    tenant = settings.tenant
    product = new_product(api, tenant, "Teapot", f"{unique}-POT", stock=10)

    customer = create_customer.sync(
        tenant,
        client=api,
        body=CustomerInput(name="Ada Lovelace", email=f"{unique.lower()}@example.com"),
    )
    assert isinstance(customer, Customer), customer
    assert customer.email == f"{unique.lower()}@example.com"

    placed = create_order.sync_detailed(
        tenant,
        client=api,
        body=OrderInput(customer_id=str(customer.id), lines=[LineInput(product_id=str(product.id), quantity=3)]),
    )
    assert placed.status_code == HTTPStatus.CREATED, placed.content
    order = placed.parsed
    assert isinstance(order, Order)
    assert order.customer_id == customer.id
    assert order.status == OrderStatus.PENDING
    assert order.total.amount == 3 * 1999
    assert order.total.currency == "EUR"
    assert [(line.product_id, line.quantity, line.sku) for line in order.lines] == [
        (product.id, 3, f"{unique}-POT")
    ]

    again = get_order.sync(tenant, str(order.id), client=api)
    assert isinstance(again, Order)
    assert again.id == order.id

    stock = get_product.sync(tenant, str(product.id), client=api)
    assert isinstance(stock, Product)
    assert stock.stock == 7


def test_a_duplicate_sku_is_a_typed_409(api, settings, unique) -> None:
    tenant = settings.tenant
    new_product(api, tenant, "Saucer", f"{unique}-SAU")

    response = create_product.sync_detailed(
        tenant,
        client=api,
        body=ProductInput(name="Another saucer", sku=f"{unique}-SAU", price=Price(amount=100, currency="EUR")),
    )
    assert response.status_code == HTTPStatus.CONFLICT
    problem = response.parsed
    assert isinstance(problem, Problem), response.content
    assert problem.type_ == CONFLICT
    assert problem.status == 409
    assert problem.title
    assert isinstance(problem.detail, str) and "SKU" in problem.detail.upper()
    assert not problem.errors, "a conflict names no field"


def test_an_order_beyond_the_stock_is_a_typed_409_naming_the_line(api, settings, unique) -> None:
    tenant = settings.tenant
    product = new_product(api, tenant, "Milk jug", f"{unique}-JUG", stock=2)
    customer = create_customer.sync(
        tenant, client=api, body=CustomerInput(name="Grace Hopper", email=f"{unique.lower()}@example.org")
    )
    assert isinstance(customer, Customer), customer

    response = create_order.sync_detailed(
        tenant,
        client=api,
        body=OrderInput(customer_id=str(customer.id), lines=[LineInput(product_id=str(product.id), quantity=3)]),
    )
    assert response.status_code == HTTPStatus.CONFLICT
    problem = response.parsed
    assert isinstance(problem, Problem), response.content
    assert problem.type_ == INSUFFICIENT_STOCK
    assert isinstance(problem.errors, list)
    assert [type(error) for error in problem.errors] == [FieldError]
    assert problem.errors[0].field == "lines[0].quantity"
    assert problem.errors[0].reason == "3 more wanted, 2 in stock"


def invalid_product(api: AuthenticatedClient, tenant: str, name: str, sku: str) -> Problem:
    response = create_product.sync_detailed(
        tenant,
        client=api,
        body=ProductInput(name=name, sku=sku, price=Price(amount=100, currency="EUR")),
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    problem = response.parsed
    assert isinstance(problem, Problem), response.content
    assert problem.type_ == VALIDATION
    assert problem.status == 400
    assert isinstance(problem.errors, list)
    assert all(isinstance(error, FieldError) for error in problem.errors)
    return problem


def test_an_empty_name_is_a_typed_400_naming_the_field(api, settings, unique) -> None:
    problem = invalid_product(api, settings.tenant, name="", sku=f"{unique}-OK")
    assert [error.field for error in problem.errors] == ["name"]
    assert problem.errors[0].reason


def test_a_bad_sku_is_a_typed_400_naming_the_field(api, settings) -> None:
    problem = invalid_product(api, settings.tenant, name="Mug", sku="bad sku!")
    assert [error.field for error in problem.errors] == ["sku"]
    assert problem.errors[0].reason
