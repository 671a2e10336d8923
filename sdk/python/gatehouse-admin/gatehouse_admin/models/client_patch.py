from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ClientPatch")


@_attrs_define
class ClientPatch:
    """Changes to a client (absent: kept).

    Attributes:
        disabled (bool | None | Unset): `true`: the client authenticates like an unknown one, its refresh tokens end,
            and every
            gateway refuses its access tokens; `false` enables it again (earlier tokens stay
            revoked).
        resource_server (bool | None | Unset): Whether the client may introspect every access token of the tenant.
        require_pushed_authorization_requests (bool | None | Unset): Whether the client's authorization requests must be
            pushed first (RFC 9126).
        dpop_bound_access_tokens (bool | None | Unset): Whether the client's token requests must carry a DPoP proof (RFC
            9449 §5.2).
    """

    disabled: bool | None | Unset = UNSET
    resource_server: bool | None | Unset = UNSET
    require_pushed_authorization_requests: bool | None | Unset = UNSET
    dpop_bound_access_tokens: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        disabled: bool | None | Unset
        if isinstance(self.disabled, Unset):
            disabled = UNSET
        else:
            disabled = self.disabled

        resource_server: bool | None | Unset
        if isinstance(self.resource_server, Unset):
            resource_server = UNSET
        else:
            resource_server = self.resource_server

        require_pushed_authorization_requests: bool | None | Unset
        if isinstance(self.require_pushed_authorization_requests, Unset):
            require_pushed_authorization_requests = UNSET
        else:
            require_pushed_authorization_requests = self.require_pushed_authorization_requests

        dpop_bound_access_tokens: bool | None | Unset
        if isinstance(self.dpop_bound_access_tokens, Unset):
            dpop_bound_access_tokens = UNSET
        else:
            dpop_bound_access_tokens = self.dpop_bound_access_tokens

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if disabled is not UNSET:
            field_dict["disabled"] = disabled
        if resource_server is not UNSET:
            field_dict["resource_server"] = resource_server
        if require_pushed_authorization_requests is not UNSET:
            field_dict["require_pushed_authorization_requests"] = require_pushed_authorization_requests
        if dpop_bound_access_tokens is not UNSET:
            field_dict["dpop_bound_access_tokens"] = dpop_bound_access_tokens

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_disabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        disabled = _parse_disabled(d.pop("disabled", UNSET))

        def _parse_resource_server(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        resource_server = _parse_resource_server(d.pop("resource_server", UNSET))

        def _parse_require_pushed_authorization_requests(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        require_pushed_authorization_requests = _parse_require_pushed_authorization_requests(
            d.pop("require_pushed_authorization_requests", UNSET)
        )

        def _parse_dpop_bound_access_tokens(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        dpop_bound_access_tokens = _parse_dpop_bound_access_tokens(d.pop("dpop_bound_access_tokens", UNSET))

        client_patch = cls(
            disabled=disabled,
            resource_server=resource_server,
            require_pushed_authorization_requests=require_pushed_authorization_requests,
            dpop_bound_access_tokens=dpop_bound_access_tokens,
        )

        client_patch.additional_properties = d
        return client_patch

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
