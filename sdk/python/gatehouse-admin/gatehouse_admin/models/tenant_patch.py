from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TenantPatch")


@_attrs_define
class TenantPatch:
    """Changes to a tenant (JSON Merge Patch: absent keeps, `null` resets to the default).

    Attributes:
        display_name (None | str | Unset):
        refresh_idle_seconds (int | None | Unset): 60 seconds to 5 years.
        refresh_absolute_seconds (int | None | Unset): 60 seconds to 5 years; at least the idle lifetime.
        rate_limit_per_minute (int | None | Unset): Requests per minute the gateway allows the whole tenant; `null`: the
            configured one.
        require_if_match (bool | None | Unset): `true`: writes to the tenant's resource API must carry `If-Match`, so
            that no client
            overwrites a change it has not seen (428 without).
        disabled (bool | None | Unset): `true`: the tenant issues nothing (its sign-in, token and introspection
            endpoints
            answer as for an unknown tenant), and every gateway refuses its tokens; `false` enables
            it again (earlier tokens stay revoked). The `system` tenant stays enabled.
    """

    display_name: None | str | Unset = UNSET
    refresh_idle_seconds: int | None | Unset = UNSET
    refresh_absolute_seconds: int | None | Unset = UNSET
    rate_limit_per_minute: int | None | Unset = UNSET
    require_if_match: bool | None | Unset = UNSET
    disabled: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        display_name: None | str | Unset
        if isinstance(self.display_name, Unset):
            display_name = UNSET
        else:
            display_name = self.display_name

        refresh_idle_seconds: int | None | Unset
        if isinstance(self.refresh_idle_seconds, Unset):
            refresh_idle_seconds = UNSET
        else:
            refresh_idle_seconds = self.refresh_idle_seconds

        refresh_absolute_seconds: int | None | Unset
        if isinstance(self.refresh_absolute_seconds, Unset):
            refresh_absolute_seconds = UNSET
        else:
            refresh_absolute_seconds = self.refresh_absolute_seconds

        rate_limit_per_minute: int | None | Unset
        if isinstance(self.rate_limit_per_minute, Unset):
            rate_limit_per_minute = UNSET
        else:
            rate_limit_per_minute = self.rate_limit_per_minute

        require_if_match: bool | None | Unset
        if isinstance(self.require_if_match, Unset):
            require_if_match = UNSET
        else:
            require_if_match = self.require_if_match

        disabled: bool | None | Unset
        if isinstance(self.disabled, Unset):
            disabled = UNSET
        else:
            disabled = self.disabled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if display_name is not UNSET:
            field_dict["display_name"] = display_name
        if refresh_idle_seconds is not UNSET:
            field_dict["refresh_idle_seconds"] = refresh_idle_seconds
        if refresh_absolute_seconds is not UNSET:
            field_dict["refresh_absolute_seconds"] = refresh_absolute_seconds
        if rate_limit_per_minute is not UNSET:
            field_dict["rate_limit_per_minute"] = rate_limit_per_minute
        if require_if_match is not UNSET:
            field_dict["require_if_match"] = require_if_match
        if disabled is not UNSET:
            field_dict["disabled"] = disabled

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_display_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_name = _parse_display_name(d.pop("display_name", UNSET))

        def _parse_refresh_idle_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        refresh_idle_seconds = _parse_refresh_idle_seconds(d.pop("refresh_idle_seconds", UNSET))

        def _parse_refresh_absolute_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        refresh_absolute_seconds = _parse_refresh_absolute_seconds(d.pop("refresh_absolute_seconds", UNSET))

        def _parse_rate_limit_per_minute(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit_per_minute = _parse_rate_limit_per_minute(d.pop("rate_limit_per_minute", UNSET))

        def _parse_require_if_match(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        require_if_match = _parse_require_if_match(d.pop("require_if_match", UNSET))

        def _parse_disabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        disabled = _parse_disabled(d.pop("disabled", UNSET))

        tenant_patch = cls(
            display_name=display_name,
            refresh_idle_seconds=refresh_idle_seconds,
            refresh_absolute_seconds=refresh_absolute_seconds,
            rate_limit_per_minute=rate_limit_per_minute,
            require_if_match=require_if_match,
            disabled=disabled,
        )

        tenant_patch.additional_properties = d
        return tenant_patch

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
