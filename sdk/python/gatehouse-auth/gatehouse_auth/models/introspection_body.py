from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.key_confirmation import KeyConfirmation


T = TypeVar("T", bound="IntrospectionBody")


@_attrs_define
class IntrospectionBody:
    """RFC 7662 §2.2. Only `active` when the token is inactive, unknown or another tenant's.

    Attributes:
        active (bool):
        token_type (str | Unset):
        scope (str | Unset):
        client_id (str | Unset):
        sub (str | Unset):
        username (str | Unset):
        iss (str | Unset):
        aud (str | Unset):
        exp (int | Unset):
        iat (int | Unset):
        jti (str | Unset):
        tid (str | Unset): The tenant's id (an extension to RFC 7662).
        cnf (KeyConfirmation | Unset): The key a token is bound to (RFC 7800 §3.1).
    """

    active: bool
    token_type: str | Unset = UNSET
    scope: str | Unset = UNSET
    client_id: str | Unset = UNSET
    sub: str | Unset = UNSET
    username: str | Unset = UNSET
    iss: str | Unset = UNSET
    aud: str | Unset = UNSET
    exp: int | Unset = UNSET
    iat: int | Unset = UNSET
    jti: str | Unset = UNSET
    tid: str | Unset = UNSET
    cnf: KeyConfirmation | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        token_type = self.token_type

        scope = self.scope

        client_id = self.client_id

        sub = self.sub

        username = self.username

        iss = self.iss

        aud = self.aud

        exp = self.exp

        iat = self.iat

        jti = self.jti

        tid = self.tid

        cnf: dict[str, Any] | Unset = UNSET
        if not isinstance(self.cnf, Unset):
            cnf = self.cnf.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
            }
        )
        if token_type is not UNSET:
            field_dict["token_type"] = token_type
        if scope is not UNSET:
            field_dict["scope"] = scope
        if client_id is not UNSET:
            field_dict["client_id"] = client_id
        if sub is not UNSET:
            field_dict["sub"] = sub
        if username is not UNSET:
            field_dict["username"] = username
        if iss is not UNSET:
            field_dict["iss"] = iss
        if aud is not UNSET:
            field_dict["aud"] = aud
        if exp is not UNSET:
            field_dict["exp"] = exp
        if iat is not UNSET:
            field_dict["iat"] = iat
        if jti is not UNSET:
            field_dict["jti"] = jti
        if tid is not UNSET:
            field_dict["tid"] = tid
        if cnf is not UNSET:
            field_dict["cnf"] = cnf

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.key_confirmation import KeyConfirmation  # noqa: PLC0415

        d = dict(src_dict)
        active = d.pop("active")

        token_type = d.pop("token_type", UNSET)

        scope = d.pop("scope", UNSET)

        client_id = d.pop("client_id", UNSET)

        sub = d.pop("sub", UNSET)

        username = d.pop("username", UNSET)

        iss = d.pop("iss", UNSET)

        aud = d.pop("aud", UNSET)

        exp = d.pop("exp", UNSET)

        iat = d.pop("iat", UNSET)

        jti = d.pop("jti", UNSET)

        tid = d.pop("tid", UNSET)

        _cnf = d.pop("cnf", UNSET)
        cnf: KeyConfirmation | Unset
        if isinstance(_cnf, Unset):
            cnf = UNSET
        else:
            cnf = KeyConfirmation.from_dict(_cnf)

        introspection_body = cls(
            active=active,
            token_type=token_type,
            scope=scope,
            client_id=client_id,
            sub=sub,
            username=username,
            iss=iss,
            aud=aud,
            exp=exp,
            iat=iat,
            jti=jti,
            tid=tid,
            cnf=cnf,
        )

        introspection_body.additional_properties = d
        return introspection_body

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
