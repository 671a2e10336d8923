from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.patch_product_body_price import PatchProductBodyPrice


T = TypeVar("T", bound="PatchProductBody")


@_attrs_define
class PatchProductBody:
    """
    Attributes:
        name (str | Unset):
        description (None | str | Unset):
        sku (str | Unset):
        stock (int | None | Unset):
        price (PatchProductBodyPrice | Unset):
    """

    name: str | Unset = UNSET
    description: None | str | Unset = UNSET
    sku: str | Unset = UNSET
    stock: int | None | Unset = UNSET
    price: PatchProductBodyPrice | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        sku = self.sku

        stock: int | None | Unset
        if isinstance(self.stock, Unset):
            stock = UNSET
        else:
            stock = self.stock

        price: dict[str, Any] | Unset = UNSET
        if not isinstance(self.price, Unset):
            price = self.price.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if sku is not UNSET:
            field_dict["sku"] = sku
        if stock is not UNSET:
            field_dict["stock"] = stock
        if price is not UNSET:
            field_dict["price"] = price

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.patch_product_body_price import PatchProductBodyPrice  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        sku = d.pop("sku", UNSET)

        def _parse_stock(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        stock = _parse_stock(d.pop("stock", UNSET))

        _price = d.pop("price", UNSET)
        price: PatchProductBodyPrice | Unset
        if isinstance(_price, Unset):
            price = UNSET
        else:
            price = PatchProductBodyPrice.from_dict(_price)

        patch_product_body = cls(
            name=name,
            description=description,
            sku=sku,
            stock=stock,
            price=price,
        )

        return patch_product_body
