from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ClientMetadata")


@_attrs_define
class ClientMetadata:
    """A client's metadata (RFC 7591 §2). Fields this server does not know are ignored; what it
    registers is in the answer.

        Attributes:
            client_name (str | Unset): A name shown to people on the consent page; `Registered client` when absent.
            redirect_uris (list[str] | Unset): Where the browser returns with a code: `https`, `http` on loopback, or a
                private-use
                scheme (RFC 8252).
            grant_types (list[str] | Unset): `["authorization_code"]` when absent; the tenant's policy says which are
                allowed.
            response_types (list[str] | Unset): `["code"]`, the only one.
            scope (str | Unset): Space separated; narrowed to what the tenant's policy allows (all of it when absent).
            token_endpoint_auth_method (str | Unset): `client_secret_basic` (default), `client_secret_post`,
                `private_key_jwt` (with `jwks`)
                or `none` (a public client).
            jwks (Any | Unset): For `private_key_jwt`: the client's public keys.
            id_token_signed_response_alg (str | Unset): `RS256` (default) or `ES256`.
            dpop_bound_access_tokens (bool | Unset): `true`: every token request must carry a DPoP proof (RFC 9449 §5.2);
                `false` when
                absent.
            client_id (str | Unset): With RFC 7592 `PUT`: the client's id, which must be this registration's.
    """

    client_name: str | Unset = UNSET
    redirect_uris: list[str] | Unset = UNSET
    grant_types: list[str] | Unset = UNSET
    response_types: list[str] | Unset = UNSET
    scope: str | Unset = UNSET
    token_endpoint_auth_method: str | Unset = UNSET
    jwks: Any | Unset = UNSET
    id_token_signed_response_alg: str | Unset = UNSET
    dpop_bound_access_tokens: bool | Unset = UNSET
    client_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_name = self.client_name

        redirect_uris: list[str] | Unset = UNSET
        if not isinstance(self.redirect_uris, Unset):
            redirect_uris = self.redirect_uris

        grant_types: list[str] | Unset = UNSET
        if not isinstance(self.grant_types, Unset):
            grant_types = self.grant_types

        response_types: list[str] | Unset = UNSET
        if not isinstance(self.response_types, Unset):
            response_types = self.response_types

        scope = self.scope

        token_endpoint_auth_method = self.token_endpoint_auth_method

        jwks = self.jwks

        id_token_signed_response_alg = self.id_token_signed_response_alg

        dpop_bound_access_tokens = self.dpop_bound_access_tokens

        client_id = self.client_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if client_name is not UNSET:
            field_dict["client_name"] = client_name
        if redirect_uris is not UNSET:
            field_dict["redirect_uris"] = redirect_uris
        if grant_types is not UNSET:
            field_dict["grant_types"] = grant_types
        if response_types is not UNSET:
            field_dict["response_types"] = response_types
        if scope is not UNSET:
            field_dict["scope"] = scope
        if token_endpoint_auth_method is not UNSET:
            field_dict["token_endpoint_auth_method"] = token_endpoint_auth_method
        if jwks is not UNSET:
            field_dict["jwks"] = jwks
        if id_token_signed_response_alg is not UNSET:
            field_dict["id_token_signed_response_alg"] = id_token_signed_response_alg
        if dpop_bound_access_tokens is not UNSET:
            field_dict["dpop_bound_access_tokens"] = dpop_bound_access_tokens
        if client_id is not UNSET:
            field_dict["client_id"] = client_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_name = d.pop("client_name", UNSET)

        redirect_uris = cast(list[str], d.pop("redirect_uris", UNSET))

        grant_types = cast(list[str], d.pop("grant_types", UNSET))

        response_types = cast(list[str], d.pop("response_types", UNSET))

        scope = d.pop("scope", UNSET)

        token_endpoint_auth_method = d.pop("token_endpoint_auth_method", UNSET)

        jwks = d.pop("jwks", UNSET)

        id_token_signed_response_alg = d.pop("id_token_signed_response_alg", UNSET)

        dpop_bound_access_tokens = d.pop("dpop_bound_access_tokens", UNSET)

        client_id = d.pop("client_id", UNSET)

        client_metadata = cls(
            client_name=client_name,
            redirect_uris=redirect_uris,
            grant_types=grant_types,
            response_types=response_types,
            scope=scope,
            token_endpoint_auth_method=token_endpoint_auth_method,
            jwks=jwks,
            id_token_signed_response_alg=id_token_signed_response_alg,
            dpop_bound_access_tokens=dpop_bound_access_tokens,
            client_id=client_id,
        )

        client_metadata.additional_properties = d
        return client_metadata

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
