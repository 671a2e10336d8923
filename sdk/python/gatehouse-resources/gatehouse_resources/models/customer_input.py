from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CustomerInput")


@_attrs_define
class CustomerInput:
    """What a client sets on a customer, to create or replace it.

    Example:
        {'name': 'Ada Lovelace', 'email': 'Ada@Example.com'}

    Attributes:
        name (str): The customer's name: 1 to 200 characters once surrounding whitespace is trimmed.
        email (str): An email address (`local@domain`, up to 254 characters), stored in lower case; no
            other customer of the tenant may have it.
    """

    name: str
    email: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        email = self.email

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "email": email,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        email = d.pop("email")

        customer_input = cls(
            name=name,
            email=email,
        )

        customer_input.additional_properties = d
        return customer_input

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
