from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.patch_order_body_status import PatchOrderBodyStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.line_input import LineInput


T = TypeVar("T", bound="PatchOrderBody")


@_attrs_define
class PatchOrderBody:
    """
    Attributes:
        customer_id (UUID | Unset):
        lines (list[LineInput] | Unset):
        status (PatchOrderBodyStatus | Unset):
    """

    customer_id: UUID | Unset = UNSET
    lines: list[LineInput] | Unset = UNSET
    status: PatchOrderBodyStatus | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        customer_id: str | Unset = UNSET
        if not isinstance(self.customer_id, Unset):
            customer_id = str(self.customer_id)

        lines: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.lines, Unset):
            lines = []
            for lines_item_data in self.lines:
                lines_item = lines_item_data.to_dict()
                lines.append(lines_item)

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if customer_id is not UNSET:
            field_dict["customer_id"] = customer_id
        if lines is not UNSET:
            field_dict["lines"] = lines
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.line_input import LineInput  # noqa: PLC0415

        d = dict(src_dict)
        _customer_id = d.pop("customer_id", UNSET)
        customer_id: UUID | Unset
        if isinstance(_customer_id, Unset):
            customer_id = UNSET
        else:
            customer_id = UUID(_customer_id)

        _lines = d.pop("lines", UNSET)
        lines: list[LineInput] | Unset = UNSET
        if _lines is not UNSET:
            lines = []
            for lines_item_data in _lines:
                lines_item = LineInput.from_dict(lines_item_data)

                lines.append(lines_item)

        _status = d.pop("status", UNSET)
        status: PatchOrderBodyStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = PatchOrderBodyStatus(_status)

        patch_order_body = cls(
            customer_id=customer_id,
            lines=lines,
            status=status,
        )

        return patch_order_body
