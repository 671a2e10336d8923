from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.price import Price


T = TypeVar("T", bound="OrderLine")


@_attrs_define
class OrderLine:
    """A line of an order, with the product as it was when ordered.

    Attributes:
        product_id (UUID): The product ordered (it may have been deleted since).
        name (str): The product's name when ordered.
        sku (str): The product's SKU when ordered.
        quantity (int): How many.
        unit_price (Price): An amount of money. Example: {'amount': 1999, 'currency': 'EUR'}.
        amount (Price): An amount of money. Example: {'amount': 1999, 'currency': 'EUR'}.
    """

    product_id: UUID
    name: str
    sku: str
    quantity: int
    unit_price: Price
    amount: Price
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        product_id = str(self.product_id)

        name = self.name

        sku = self.sku

        quantity = self.quantity

        unit_price = self.unit_price.to_dict()

        amount = self.amount.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "product_id": product_id,
                "name": name,
                "sku": sku,
                "quantity": quantity,
                "unit_price": unit_price,
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.price import Price  # noqa: PLC0415

        d = dict(src_dict)
        product_id = UUID(d.pop("product_id"))

        name = d.pop("name")

        sku = d.pop("sku")

        quantity = d.pop("quantity")

        unit_price = Price.from_dict(d.pop("unit_price"))

        amount = Price.from_dict(d.pop("amount"))

        order_line = cls(
            product_id=product_id,
            name=name,
            sku=sku,
            quantity=quantity,
            unit_price=unit_price,
            amount=amount,
        )

        order_line.additional_properties = d
        return order_line

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
