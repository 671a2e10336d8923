from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.price import Price


T = TypeVar("T", bound="Product")


@_attrs_define
class Product:
    """A product of the tenant's catalogue.

    Example:
        {'id': '01936a3e-8f2c-7b41-9d0e-5c4a2b1f3e6d', 'name': 'Espresso cup', 'description': 'Porcelain, 90 ml.',
            'sku': 'CUP-ESP-90', 'stock': 120, 'price': {'amount': 1999, 'currency': 'EUR'}, 'created_at':
            '2026-11-27T09:30:00.123456+00:00', 'updated_at': '2026-11-27T09:30:00.123456+00:00'}

    Attributes:
        id (UUID): The product's id, assigned by the service.
        name (str): The product's name (1 to 200 characters, without surrounding whitespace).
        description (str): A description of the product (up to 2000 characters; may be empty).
        sku (str): The stock-keeping unit: unique in the tenant, 1 to 64 of `A-Z a-z 0-9 . _ -`.
        stock (int): How many are in stock; orders take from it and are refused when it is short.
        price (Price): An amount of money. Example: {'amount': 1999, 'currency': 'EUR'}.
        created_at (datetime.datetime): When the product was created (RFC 3339).
        updated_at (datetime.datetime): When the product last changed, or was created (RFC 3339); an order changes its
            stock.
    """

    id: UUID
    name: str
    description: str
    sku: str
    stock: int
    price: Price
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        description = self.description

        sku = self.sku

        stock = self.stock

        price = self.price.to_dict()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "sku": sku,
                "stock": stock,
                "price": price,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.price import Price  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        description = d.pop("description")

        sku = d.pop("sku")

        stock = d.pop("stock")

        price = Price.from_dict(d.pop("price"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        product = cls(
            id=id,
            name=name,
            description=description,
            sku=sku,
            stock=stock,
            price=price,
            created_at=created_at,
            updated_at=updated_at,
        )

        product.additional_properties = d
        return product

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
