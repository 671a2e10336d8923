from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus

if TYPE_CHECKING:
    from ..models.order_line import OrderLine
    from ..models.price import Price


T = TypeVar("T", bound="Order")


@_attrs_define
class Order:
    """An order of the tenant.

    Example:
        {'id': '01936a40-0b1c-7d2e-9f3a-4b5c6d7e8f90', 'customer_id': '01936a3f-1a2b-7c3d-8e4f-5a6b7c8d9e0f', 'status':
            'pending', 'lines': [{'product_id': '01936a3e-8f2c-7b41-9d0e-5c4a2b1f3e6d', 'name': 'Espresso cup', 'sku': 'CUP-
            ESP-90', 'quantity': 2, 'unit_price': {'amount': 1999, 'currency': 'EUR'}, 'amount': {'amount': 3998,
            'currency': 'EUR'}}], 'total': {'amount': 3998, 'currency': 'EUR'}, 'created_at':
            '2026-11-27T09:32:00.000001+00:00', 'updated_at': '2026-11-27T09:32:00.000001+00:00'}

    Attributes:
        id (UUID): The order's id, assigned by the service.
        customer_id (UUID): The customer who placed it.
        status (OrderStatus): Where an order is: `pending → paid → shipped`, or `cancelled` from `pending` or `paid`.
        lines (list[OrderLine]): The lines, in the order given.
        total (Price): An amount of money. Example: {'amount': 1999, 'currency': 'EUR'}.
        created_at (datetime.datetime): When the order was placed (RFC 3339).
        updated_at (datetime.datetime): When the order last changed (RFC 3339).
    """

    id: UUID
    customer_id: UUID
    status: OrderStatus
    lines: list[OrderLine]
    total: Price
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        customer_id = str(self.customer_id)

        status = self.status.value

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        total = self.total.to_dict()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer_id": customer_id,
                "status": status,
                "lines": lines,
                "total": total,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_line import OrderLine  # noqa: PLC0415
        from ..models.price import Price  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        customer_id = UUID(d.pop("customer_id"))

        status = OrderStatus(d.pop("status"))

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = OrderLine.from_dict(lines_item_data)

            lines.append(lines_item)

        total = Price.from_dict(d.pop("total"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        order = cls(
            id=id,
            customer_id=customer_id,
            status=status,
            lines=lines,
            total=total,
            created_at=created_at,
            updated_at=updated_at,
        )

        order.additional_properties = d
        return order

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
