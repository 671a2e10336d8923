from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SigningKey")


@_attrs_define
class SigningKey:
    """A signing key; its private part never leaves the server.

    Attributes:
        kid (str):
        alg (str):
        status (str): `pending` (published, not signing yet), `active` (signing), `retiring` (published
            until the tokens it signed expire) or `expired`.
        created_at (datetime.datetime):
        activates_at (datetime.datetime | Unset):
        retires_at (datetime.datetime | Unset):
        expires_at (datetime.datetime | Unset):
    """

    kid: str
    alg: str
    status: str
    created_at: datetime.datetime
    activates_at: datetime.datetime | Unset = UNSET
    retires_at: datetime.datetime | Unset = UNSET
    expires_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kid = self.kid

        alg = self.alg

        status = self.status

        created_at = self.created_at.isoformat()

        activates_at: str | Unset = UNSET
        if not isinstance(self.activates_at, Unset):
            activates_at = self.activates_at.isoformat()

        retires_at: str | Unset = UNSET
        if not isinstance(self.retires_at, Unset):
            retires_at = self.retires_at.isoformat()

        expires_at: str | Unset = UNSET
        if not isinstance(self.expires_at, Unset):
            expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kid": kid,
                "alg": alg,
                "status": status,
                "created_at": created_at,
            }
        )
        if activates_at is not UNSET:
            field_dict["activates_at"] = activates_at
        if retires_at is not UNSET:
            field_dict["retires_at"] = retires_at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kid = d.pop("kid")

        alg = d.pop("alg")

        status = d.pop("status")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        _activates_at = d.pop("activates_at", UNSET)
        activates_at: datetime.datetime | Unset
        if isinstance(_activates_at, Unset):
            activates_at = UNSET
        else:
            activates_at = datetime.datetime.fromisoformat(_activates_at)

        _retires_at = d.pop("retires_at", UNSET)
        retires_at: datetime.datetime | Unset
        if isinstance(_retires_at, Unset):
            retires_at = UNSET
        else:
            retires_at = datetime.datetime.fromisoformat(_retires_at)

        _expires_at = d.pop("expires_at", UNSET)
        expires_at: datetime.datetime | Unset
        if isinstance(_expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = datetime.datetime.fromisoformat(_expires_at)

        signing_key = cls(
            kid=kid,
            alg=alg,
            status=status,
            created_at=created_at,
            activates_at=activates_at,
            retires_at=retires_at,
            expires_at=expires_at,
        )

        signing_key.additional_properties = d
        return signing_key

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
