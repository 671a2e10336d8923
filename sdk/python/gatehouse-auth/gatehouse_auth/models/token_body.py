from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenBody")


@_attrs_define
class TokenBody:
    """A successful token response (RFC 6749 §5.1).

    Attributes:
        access_token (str): A JWT access token (RFC 9068).
        token_type (str): `Bearer`, or `DPoP` for a token bound to the key of the request's DPoP proof
            (RFC 9449 §5).
        expires_in (int): Seconds until the access token expires.
        scope (str): The scopes granted, space separated.
        refresh_token (str | Unset): A refresh token, when the client may refresh and `offline_access` was granted. Each
            use returns a new one; the old one is then spent.
        id_token (str | Unset): An OpenID Connect ID token, with the `openid` scope.
        issued_token_type (str | Unset): Token exchange (RFC 8693): `urn:ietf:params:oauth:token-type:access_token`.
    """

    access_token: str
    token_type: str
    expires_in: int
    scope: str
    refresh_token: str | Unset = UNSET
    id_token: str | Unset = UNSET
    issued_token_type: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        token_type = self.token_type

        expires_in = self.expires_in

        scope = self.scope

        refresh_token = self.refresh_token

        id_token = self.id_token

        issued_token_type = self.issued_token_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "token_type": token_type,
                "expires_in": expires_in,
                "scope": scope,
            }
        )
        if refresh_token is not UNSET:
            field_dict["refresh_token"] = refresh_token
        if id_token is not UNSET:
            field_dict["id_token"] = id_token
        if issued_token_type is not UNSET:
            field_dict["issued_token_type"] = issued_token_type

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_token = d.pop("access_token")

        token_type = d.pop("token_type")

        expires_in = d.pop("expires_in")

        scope = d.pop("scope")

        refresh_token = d.pop("refresh_token", UNSET)

        id_token = d.pop("id_token", UNSET)

        issued_token_type = d.pop("issued_token_type", UNSET)

        token_body = cls(
            access_token=access_token,
            token_type=token_type,
            expires_in=expires_in,
            scope=scope,
            refresh_token=refresh_token,
            id_token=id_token,
            issued_token_type=issued_token_type,
        )

        token_body.additional_properties = d
        return token_body

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
