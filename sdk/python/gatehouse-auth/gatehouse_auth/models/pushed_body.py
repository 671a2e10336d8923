from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PushedBody")


@_attrs_define
class PushedBody:
    """The `request_uri` to send the browser to the authorization endpoint with (RFC 9126 §2.2).

    Attributes:
        request_uri (str): `urn:ietf:params:oauth:request_uri:…`: works once, until it expires.
        expires_in (int): Seconds until `request_uri` expires.
    """

    request_uri: str
    expires_in: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        request_uri = self.request_uri

        expires_in = self.expires_in

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "request_uri": request_uri,
                "expires_in": expires_in,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        request_uri = d.pop("request_uri")

        expires_in = d.pop("expires_in")

        pushed_body = cls(
            request_uri=request_uri,
            expires_in=expires_in,
        )

        pushed_body.additional_properties = d
        return pushed_body

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
