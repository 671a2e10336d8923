from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RegisteredClient")


@_attrs_define
class RegisteredClient:
    """A registered client (RFC 7591 §3.2.1, RFC 7592 §3).

    Attributes:
        client_id (str):
        client_id_issued_at (int):
        registration_access_token (str): The bearer token for this registration's `registration_client_uri`. Each answer
            carries a new one, which replaces the last.
        registration_client_uri (str):
        client_name (str):
        redirect_uris (list[str]):
        grant_types (list[str]):
        response_types (list[str]):
        scope (str):
        token_endpoint_auth_method (str):
        id_token_signed_response_alg (str):
        dpop_bound_access_tokens (bool):
        client_secret (str | Unset): Only when the client is registered, and only for clients with a secret.
        client_secret_expires_at (int | Unset): `0`: the secret does not expire.
        jwks (Any | Unset):
    """

    client_id: str
    client_id_issued_at: int
    registration_access_token: str
    registration_client_uri: str
    client_name: str
    redirect_uris: list[str]
    grant_types: list[str]
    response_types: list[str]
    scope: str
    token_endpoint_auth_method: str
    id_token_signed_response_alg: str
    dpop_bound_access_tokens: bool
    client_secret: str | Unset = UNSET
    client_secret_expires_at: int | Unset = UNSET
    jwks: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        client_id_issued_at = self.client_id_issued_at

        registration_access_token = self.registration_access_token

        registration_client_uri = self.registration_client_uri

        client_name = self.client_name

        redirect_uris = self.redirect_uris

        grant_types = self.grant_types

        response_types = self.response_types

        scope = self.scope

        token_endpoint_auth_method = self.token_endpoint_auth_method

        id_token_signed_response_alg = self.id_token_signed_response_alg

        dpop_bound_access_tokens = self.dpop_bound_access_tokens

        client_secret = self.client_secret

        client_secret_expires_at = self.client_secret_expires_at

        jwks = self.jwks

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "client_id_issued_at": client_id_issued_at,
                "registration_access_token": registration_access_token,
                "registration_client_uri": registration_client_uri,
                "client_name": client_name,
                "redirect_uris": redirect_uris,
                "grant_types": grant_types,
                "response_types": response_types,
                "scope": scope,
                "token_endpoint_auth_method": token_endpoint_auth_method,
                "id_token_signed_response_alg": id_token_signed_response_alg,
                "dpop_bound_access_tokens": dpop_bound_access_tokens,
            }
        )
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret
        if client_secret_expires_at is not UNSET:
            field_dict["client_secret_expires_at"] = client_secret_expires_at
        if jwks is not UNSET:
            field_dict["jwks"] = jwks

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        client_id_issued_at = d.pop("client_id_issued_at")

        registration_access_token = d.pop("registration_access_token")

        registration_client_uri = d.pop("registration_client_uri")

        client_name = d.pop("client_name")

        redirect_uris = cast(list[str], d.pop("redirect_uris"))

        grant_types = cast(list[str], d.pop("grant_types"))

        response_types = cast(list[str], d.pop("response_types"))

        scope = d.pop("scope")

        token_endpoint_auth_method = d.pop("token_endpoint_auth_method")

        id_token_signed_response_alg = d.pop("id_token_signed_response_alg")

        dpop_bound_access_tokens = d.pop("dpop_bound_access_tokens")

        client_secret = d.pop("client_secret", UNSET)

        client_secret_expires_at = d.pop("client_secret_expires_at", UNSET)

        jwks = d.pop("jwks", UNSET)

        registered_client = cls(
            client_id=client_id,
            client_id_issued_at=client_id_issued_at,
            registration_access_token=registration_access_token,
            registration_client_uri=registration_client_uri,
            client_name=client_name,
            redirect_uris=redirect_uris,
            grant_types=grant_types,
            response_types=response_types,
            scope=scope,
            token_endpoint_auth_method=token_endpoint_auth_method,
            id_token_signed_response_alg=id_token_signed_response_alg,
            dpop_bound_access_tokens=dpop_bound_access_tokens,
            client_secret=client_secret,
            client_secret_expires_at=client_secret_expires_at,
            jwks=jwks,
        )

        registered_client.additional_properties = d
        return registered_client

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
