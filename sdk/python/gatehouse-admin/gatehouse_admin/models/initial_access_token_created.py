from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="InitialAccessTokenCreated")


@_attrs_define
class InitialAccessTokenCreated:
    """A new initial access token: hand `token` to whoever may register clients; it is shown only
    this once.

        Attributes:
            id (UUID):
            created_at (datetime.datetime):
            expires_at (datetime.datetime):
            token (str): The bearer token for `Authorization: Bearer …` on the registration endpoint.
            remaining_uses (int | Unset): Registrations it still allows; absent: unlimited until it expires.
    """

    id: UUID
    created_at: datetime.datetime
    expires_at: datetime.datetime
    token: str
    remaining_uses: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        created_at = self.created_at.isoformat()

        expires_at = self.expires_at.isoformat()

        token = self.token

        remaining_uses = self.remaining_uses

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "created_at": created_at,
                "expires_at": expires_at,
                "token": token,
            }
        )
        if remaining_uses is not UNSET:
            field_dict["remaining_uses"] = remaining_uses

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        token = d.pop("token")

        remaining_uses = d.pop("remaining_uses", UNSET)

        initial_access_token_created = cls(
            id=id,
            created_at=created_at,
            expires_at=expires_at,
            token=token,
            remaining_uses=remaining_uses,
        )

        initial_access_token_created.additional_properties = d
        return initial_access_token_created

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
