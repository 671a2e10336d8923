from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_input_status import OrderInputStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.line_input import LineInput


T = TypeVar("T", bound="OrderInput")


@_attrs_define
class OrderInput:
    """What a client sets on an order, to place it or to replace it.

    Example:
        {'customer_id': '01936a3f-1a2b-7c3d-8e4f-5a6b7c8d9e0f', 'lines': [{'product_id':
            '01936a3e-8f2c-7b41-9d0e-5c4a2b1f3e6d', 'quantity': 2}], 'status': 'pending'}

    Attributes:
        customer_id (UUID): The customer's id (a UUID); the customer must exist in the tenant. It may change only
            while the order is pending.
        lines (list[LineInput]): 1 to 100 lines, each of another product, all priced in one currency. They may change
            only while the order is pending; the service prices them from the products.
        status (OrderInputStatus | Unset): `pending` (the default, and the only status a new order may have), `paid`,
            `shipped`
            or `cancelled`, along the allowed transitions. Default: OrderInputStatus.PENDING.
    """

    customer_id: UUID
    lines: list[LineInput]
    status: OrderInputStatus | Unset = OrderInputStatus.PENDING
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer_id = str(self.customer_id)

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer_id": customer_id,
                "lines": lines,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.line_input import LineInput  # noqa: PLC0415

        d = dict(src_dict)
        customer_id = UUID(d.pop("customer_id"))

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = LineInput.from_dict(lines_item_data)

            lines.append(lines_item)

        _status = d.pop("status", UNSET)
        status: OrderInputStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = OrderInputStatus(_status)

        order_input = cls(
            customer_id=customer_id,
            lines=lines,
            status=status,
        )

        order_input.additional_properties = d
        return order_input

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
