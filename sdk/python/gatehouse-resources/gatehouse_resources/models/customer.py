from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Customer")


@_attrs_define
class Customer:
    """A customer of the tenant.

    Example:
        {'id': '01936a3f-1a2b-7c3d-8e4f-5a6b7c8d9e0f', 'name': 'Ada Lovelace', 'email': 'ada@example.com', 'created_at':
            '2026-11-27T09:31:00.654321+00:00', 'updated_at': '2026-11-27T09:31:00.654321+00:00'}

    Attributes:
        id (UUID): The customer's id, assigned by the service.
        name (str): The customer's name (1 to 200 characters, without surrounding whitespace).
        email (str): The customer's email address, in lower case; unique in the tenant.
        created_at (datetime.datetime): When the customer was created (RFC 3339).
        updated_at (datetime.datetime): When the customer last changed, or was created (RFC 3339).
    """

    id: UUID
    name: str
    email: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        email = self.email

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "email": email,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        email = d.pop("email")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        customer = cls(
            id=id,
            name=name,
            email=email,
            created_at=created_at,
            updated_at=updated_at,
        )

        customer.additional_properties = d
        return customer

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
