from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OAuthPolicy")


@_attrs_define
class OAuthPolicy:
    """A tenant's OAuth policy. Every field may be left out; it then takes its default.

    Attributes:
        require_pushed_authorization_requests (bool | None | Unset): `true`: every authorization request of the tenant
            must first be pushed to its
            `pushed_authorization_request_endpoint` (RFC 9126 §5); one client alone can be required
            to with its own `require_pushed_authorization_requests`. `false` by default. Default: False.
    """

    require_pushed_authorization_requests: bool | None | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        require_pushed_authorization_requests: bool | None | Unset
        if isinstance(self.require_pushed_authorization_requests, Unset):
            require_pushed_authorization_requests = UNSET
        else:
            require_pushed_authorization_requests = self.require_pushed_authorization_requests

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if require_pushed_authorization_requests is not UNSET:
            field_dict["require_pushed_authorization_requests"] = require_pushed_authorization_requests

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_require_pushed_authorization_requests(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        require_pushed_authorization_requests = _parse_require_pushed_authorization_requests(
            d.pop("require_pushed_authorization_requests", UNSET)
        )

        o_auth_policy = cls(
            require_pushed_authorization_requests=require_pushed_authorization_requests,
        )

        o_auth_policy.additional_properties = d
        return o_auth_policy

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
