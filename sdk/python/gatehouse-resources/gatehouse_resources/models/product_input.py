from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.price import Price


T = TypeVar("T", bound="ProductInput")


@_attrs_define
class ProductInput:
    """What a client sets on a product, to create it or to replace it.

    Example:
        {'name': 'Espresso cup', 'description': 'Porcelain, 90 ml.', 'sku': 'CUP-ESP-90', 'stock': 120, 'price':
            {'amount': 1999, 'currency': 'EUR'}}

    Attributes:
        name (str): The product's name: 1 to 200 characters once surrounding whitespace is trimmed.
        sku (str): The stock-keeping unit: unique in the tenant, 1 to 64 of `A-Z a-z 0-9 . _ -`.
        price (Price): An amount of money. Example: {'amount': 1999, 'currency': 'EUR'}.
        description (str | Unset): A description of the product, up to 2000 characters; empty when left out. Default:
            ''.
        stock (int | Unset): How many are in stock, from 0 to 10^9; 0 when left out. Default: 0.
    """

    name: str
    sku: str
    price: Price
    description: str | Unset = ""
    stock: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        sku = self.sku

        price = self.price.to_dict()

        description = self.description

        stock = self.stock

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "sku": sku,
                "price": price,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if stock is not UNSET:
            field_dict["stock"] = stock

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.price import Price  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        sku = d.pop("sku")

        price = Price.from_dict(d.pop("price"))

        description = d.pop("description", UNSET)

        stock = d.pop("stock", UNSET)

        product_input = cls(
            name=name,
            sku=sku,
            price=price,
            description=description,
            stock=stock,
        )

        product_input.additional_properties = d
        return product_input

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
