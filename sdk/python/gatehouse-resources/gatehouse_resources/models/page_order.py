from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.order import Order


T = TypeVar("T", bound="PageOrder")


@_attrs_define
class PageOrder:
    """One page of a list.

    Example:
        {'items': [{'id': '01936a40-0b1c-7d2e-9f3a-4b5c6d7e8f90', 'customer_id': '01936a3f-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
            'status': 'pending', 'lines': [{'product_id': '01936a3e-8f2c-7b41-9d0e-5c4a2b1f3e6d', 'name': 'Espresso cup',
            'sku': 'CUP-ESP-90', 'quantity': 2, 'unit_price': {'amount': 1999, 'currency': 'EUR'}, 'amount': {'amount':
            3998, 'currency': 'EUR'}}], 'total': {'amount': 3998, 'currency': 'EUR'}, 'created_at':
            '2026-11-27T09:32:00.000001+00:00', 'updated_at': '2026-11-27T09:32:00.000001+00:00'}], 'page': 1, 'per_page':
            20, 'total': 1}

    Attributes:
        items (list[Order]): The items, in the order asked for by `sort` (oldest first unless told otherwise).
        per_page (int): The page size asked for.
        page (int | Unset): The page number, from 1; absent when the list is read by cursor.
        total (int | Unset): How many items match, in all; absent when the list is read by cursor (counting would
            cost as much as reading the whole list).
        next_cursor (str | Unset): Pass as `cursor` to read the items after this page; absent on the last page.
    """

    items: list[Order]
    per_page: int
    page: int | Unset = UNSET
    total: int | Unset = UNSET
    next_cursor: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        per_page = self.per_page

        page = self.page

        total = self.total

        next_cursor = self.next_cursor

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "items": items,
                "per_page": per_page,
            }
        )
        if page is not UNSET:
            field_dict["page"] = page
        if total is not UNSET:
            field_dict["total"] = total
        if next_cursor is not UNSET:
            field_dict["next_cursor"] = next_cursor

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order import Order  # noqa: PLC0415

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = Order.from_dict(items_item_data)

            items.append(items_item)

        per_page = d.pop("per_page")

        page = d.pop("page", UNSET)

        total = d.pop("total", UNSET)

        next_cursor = d.pop("next_cursor", UNSET)

        page_order = cls(
            items=items,
            per_page=per_page,
            page=page,
            total=total,
            next_cursor=next_cursor,
        )

        page_order.additional_properties = d
        return page_order

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
