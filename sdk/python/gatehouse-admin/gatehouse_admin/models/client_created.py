from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ClientCreated")


@_attrs_define
class ClientCreated:
    """A newly registered client with its secret: store the secret now, it is shown only once.
    Public clients (`token_endpoint_auth_method` `none`) have no secret.

        Attributes:
            client_id (str):
            client_name (str):
            grant_types (list[str]):
            redirect_uris (list[str]):
            scope (str):
            token_endpoint_auth_method (str):
            id_token_signed_response_alg (str):
            access_token_format (str):
            client_id_issued_at (int): Seconds since the epoch (RFC 7591).
            disabled (bool):
            resource_server (bool):
            require_pushed_authorization_requests (bool): Its authorization requests must be pushed first (RFC 9126 §6).
            dpop_bound_access_tokens (bool): Its access tokens must be DPoP-bound (RFC 9449 §5.2).
            jwks (Any | Unset):
            client_secret (str | Unset):
            client_secret_expires_at (int | Unset): `0`: the secret does not expire (RFC 7591).
    """

    client_id: str
    client_name: str
    grant_types: list[str]
    redirect_uris: list[str]
    scope: str
    token_endpoint_auth_method: str
    id_token_signed_response_alg: str
    access_token_format: str
    client_id_issued_at: int
    disabled: bool
    resource_server: bool
    require_pushed_authorization_requests: bool
    dpop_bound_access_tokens: bool
    jwks: Any | Unset = UNSET
    client_secret: str | Unset = UNSET
    client_secret_expires_at: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        client_name = self.client_name

        grant_types = self.grant_types

        redirect_uris = self.redirect_uris

        scope = self.scope

        token_endpoint_auth_method = self.token_endpoint_auth_method

        id_token_signed_response_alg = self.id_token_signed_response_alg

        access_token_format = self.access_token_format

        client_id_issued_at = self.client_id_issued_at

        disabled = self.disabled

        resource_server = self.resource_server

        require_pushed_authorization_requests = self.require_pushed_authorization_requests

        dpop_bound_access_tokens = self.dpop_bound_access_tokens

        jwks = self.jwks

        client_secret = self.client_secret

        client_secret_expires_at = self.client_secret_expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "client_name": client_name,
                "grant_types": grant_types,
                "redirect_uris": redirect_uris,
                "scope": scope,
                "token_endpoint_auth_method": token_endpoint_auth_method,
                "id_token_signed_response_alg": id_token_signed_response_alg,
                "access_token_format": access_token_format,
                "client_id_issued_at": client_id_issued_at,
                "disabled": disabled,
                "resource_server": resource_server,
                "require_pushed_authorization_requests": require_pushed_authorization_requests,
                "dpop_bound_access_tokens": dpop_bound_access_tokens,
            }
        )
        if jwks is not UNSET:
            field_dict["jwks"] = jwks
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret
        if client_secret_expires_at is not UNSET:
            field_dict["client_secret_expires_at"] = client_secret_expires_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        client_name = d.pop("client_name")

        grant_types = cast(list[str], d.pop("grant_types"))

        redirect_uris = cast(list[str], d.pop("redirect_uris"))

        scope = d.pop("scope")

        token_endpoint_auth_method = d.pop("token_endpoint_auth_method")

        id_token_signed_response_alg = d.pop("id_token_signed_response_alg")

        access_token_format = d.pop("access_token_format")

        client_id_issued_at = d.pop("client_id_issued_at")

        disabled = d.pop("disabled")

        resource_server = d.pop("resource_server")

        require_pushed_authorization_requests = d.pop("require_pushed_authorization_requests")

        dpop_bound_access_tokens = d.pop("dpop_bound_access_tokens")

        jwks = d.pop("jwks", UNSET)

        client_secret = d.pop("client_secret", UNSET)

        client_secret_expires_at = d.pop("client_secret_expires_at", UNSET)

        client_created = cls(
            client_id=client_id,
            client_name=client_name,
            grant_types=grant_types,
            redirect_uris=redirect_uris,
            scope=scope,
            token_endpoint_auth_method=token_endpoint_auth_method,
            id_token_signed_response_alg=id_token_signed_response_alg,
            access_token_format=access_token_format,
            client_id_issued_at=client_id_issued_at,
            disabled=disabled,
            resource_server=resource_server,
            require_pushed_authorization_requests=require_pushed_authorization_requests,
            dpop_bound_access_tokens=dpop_bound_access_tokens,
            jwks=jwks,
            client_secret=client_secret,
            client_secret_expires_at=client_secret_expires_at,
        )

        client_created.additional_properties = d
        return client_created

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
