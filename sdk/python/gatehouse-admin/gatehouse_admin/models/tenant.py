from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Tenant")


@_attrs_define
class Tenant:
    """A tenant.

    Attributes:
        id (UUID):
        slug (str):
        display_name (str):
        issuer (str): The tenant's OAuth issuer; discovery is at `{issuer}/.well-known/openid-configuration`.
        signing_alg (str):
        require_if_match (bool): Whether writes to the tenant's resource API must carry `If-Match` (428 without).
        disabled (bool): A disabled tenant issues nothing, and its tokens are refused everywhere.
        created_at (datetime.datetime):
        refresh_idle_seconds (int | Unset): The tenant's refresh token idle lifetime in seconds; the installation's when
            absent.
        refresh_absolute_seconds (int | Unset): The tenant's refresh token absolute lifetime in seconds; the
            installation's when absent.
        rate_limit_per_minute (int | Unset): Requests per minute the gateway allows the whole tenant; the configured
            when absent.
    """

    id: UUID
    slug: str
    display_name: str
    issuer: str
    signing_alg: str
    require_if_match: bool
    disabled: bool
    created_at: datetime.datetime
    refresh_idle_seconds: int | Unset = UNSET
    refresh_absolute_seconds: int | Unset = UNSET
    rate_limit_per_minute: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        slug = self.slug

        display_name = self.display_name

        issuer = self.issuer

        signing_alg = self.signing_alg

        require_if_match = self.require_if_match

        disabled = self.disabled

        created_at = self.created_at.isoformat()

        refresh_idle_seconds = self.refresh_idle_seconds

        refresh_absolute_seconds = self.refresh_absolute_seconds

        rate_limit_per_minute = self.rate_limit_per_minute

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "slug": slug,
                "display_name": display_name,
                "issuer": issuer,
                "signing_alg": signing_alg,
                "require_if_match": require_if_match,
                "disabled": disabled,
                "created_at": created_at,
            }
        )
        if refresh_idle_seconds is not UNSET:
            field_dict["refresh_idle_seconds"] = refresh_idle_seconds
        if refresh_absolute_seconds is not UNSET:
            field_dict["refresh_absolute_seconds"] = refresh_absolute_seconds
        if rate_limit_per_minute is not UNSET:
            field_dict["rate_limit_per_minute"] = rate_limit_per_minute

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        slug = d.pop("slug")

        display_name = d.pop("display_name")

        issuer = d.pop("issuer")

        signing_alg = d.pop("signing_alg")

        require_if_match = d.pop("require_if_match")

        disabled = d.pop("disabled")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        refresh_idle_seconds = d.pop("refresh_idle_seconds", UNSET)

        refresh_absolute_seconds = d.pop("refresh_absolute_seconds", UNSET)

        rate_limit_per_minute = d.pop("rate_limit_per_minute", UNSET)

        tenant = cls(
            id=id,
            slug=slug,
            display_name=display_name,
            issuer=issuer,
            signing_alg=signing_alg,
            require_if_match=require_if_match,
            disabled=disabled,
            created_at=created_at,
            refresh_idle_seconds=refresh_idle_seconds,
            refresh_absolute_seconds=refresh_absolute_seconds,
            rate_limit_per_minute=rate_limit_per_minute,
        )

        tenant.additional_properties = d
        return tenant

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
