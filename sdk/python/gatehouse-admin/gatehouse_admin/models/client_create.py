from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.client_create_access_token_format import ClientCreateAccessTokenFormat
from ..models.client_create_grant_types_type_0_item import ClientCreateGrantTypesType0Item
from ..models.client_create_id_token_signed_response_alg import ClientCreateIdTokenSignedResponseAlg
from ..models.client_create_token_endpoint_auth_method import ClientCreateTokenEndpointAuthMethod
from ..types import UNSET, Unset

T = TypeVar("T", bound="ClientCreate")


@_attrs_define
class ClientCreate:
    """A new client, in RFC 7591 metadata names.

    Example:
        {'client_name': 'Inventory sync', 'grant_types': ['client_credentials'], 'redirect_uris': None, 'scope':
            'products:read products:write', 'token_endpoint_auth_method': 'client_secret_basic',
            'id_token_signed_response_alg': None, 'jwks': None, 'access_token_format': None, 'resource_server': None,
            'require_pushed_authorization_requests': None, 'dpop_bound_access_tokens': None}

    Attributes:
        client_name (str): A name for people: shown on consent pages and in logs.
        grant_types (list[ClientCreateGrantTypesType0Item] | None | Unset): Grant types the client may use;
            `["client_credentials"]` when absent.
        redirect_uris (list[str] | None | Unset): Registered redirect URIs (for grants that redirect).
        scope (None | str | Unset): Space-separated scopes the client may be granted.
        token_endpoint_auth_method (ClientCreateTokenEndpointAuthMethod | Unset): `client_secret_basic` (default),
            `client_secret_post`, `private_key_jwt` (with
            `jwks`), or `none` for a public client (a browser or native app, which cannot keep a
            secret).
        id_token_signed_response_alg (ClientCreateIdTokenSignedResponseAlg | Unset): OpenID Connect: `RS256` (default)
            or `ES256`.
        jwks (Any | Unset): For `private_key_jwt`: the client's public keys, a JWK Set (`{"keys": [...]}`), each
            with a `kid` and an `alg`.
        access_token_format (ClientCreateAccessTokenFormat | Unset): `jwt` (RFC 9068, the default) or `opaque` (resource
            servers introspect it).
        resource_server (bool | None | Unset): `true`: the client may introspect every access token of the tenant (an
            API that checks
            tokens itself, or a gateway configured for opaque tokens); other clients learn only
            about their own tokens. `false` when absent.
        require_pushed_authorization_requests (bool | None | Unset): `true`: the client's authorization requests must be
            pushed to the pushed
            authorization request endpoint first (RFC 9126 §6); `false` when absent.
        dpop_bound_access_tokens (bool | None | Unset): `true`: the client's token requests must carry a DPoP proof, and
            its access tokens are
            bound to the proof's key (RFC 9449 §5.2); `false` when absent.
    """

    client_name: str
    grant_types: list[ClientCreateGrantTypesType0Item] | None | Unset = UNSET
    redirect_uris: list[str] | None | Unset = UNSET
    scope: None | str | Unset = UNSET
    token_endpoint_auth_method: ClientCreateTokenEndpointAuthMethod | Unset = UNSET
    id_token_signed_response_alg: ClientCreateIdTokenSignedResponseAlg | Unset = UNSET
    jwks: Any | Unset = UNSET
    access_token_format: ClientCreateAccessTokenFormat | Unset = UNSET
    resource_server: bool | None | Unset = UNSET
    require_pushed_authorization_requests: bool | None | Unset = UNSET
    dpop_bound_access_tokens: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_name = self.client_name

        grant_types: list[str] | None | Unset
        if isinstance(self.grant_types, Unset):
            grant_types = UNSET
        elif isinstance(self.grant_types, list):
            grant_types = []
            for grant_types_type_0_item_data in self.grant_types:
                grant_types_type_0_item = grant_types_type_0_item_data.value
                grant_types.append(grant_types_type_0_item)

        else:
            grant_types = self.grant_types

        redirect_uris: list[str] | None | Unset
        if isinstance(self.redirect_uris, Unset):
            redirect_uris = UNSET
        elif isinstance(self.redirect_uris, list):
            redirect_uris = self.redirect_uris

        else:
            redirect_uris = self.redirect_uris

        scope: None | str | Unset
        if isinstance(self.scope, Unset):
            scope = UNSET
        else:
            scope = self.scope

        token_endpoint_auth_method: str | Unset = UNSET
        if not isinstance(self.token_endpoint_auth_method, Unset):
            token_endpoint_auth_method = self.token_endpoint_auth_method.value

        id_token_signed_response_alg: str | Unset = UNSET
        if not isinstance(self.id_token_signed_response_alg, Unset):
            id_token_signed_response_alg = self.id_token_signed_response_alg.value

        jwks = self.jwks

        access_token_format: str | Unset = UNSET
        if not isinstance(self.access_token_format, Unset):
            access_token_format = self.access_token_format.value

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
        field_dict.update(
            {
                "client_name": client_name,
            }
        )
        if grant_types is not UNSET:
            field_dict["grant_types"] = grant_types
        if redirect_uris is not UNSET:
            field_dict["redirect_uris"] = redirect_uris
        if scope is not UNSET:
            field_dict["scope"] = scope
        if token_endpoint_auth_method is not UNSET:
            field_dict["token_endpoint_auth_method"] = token_endpoint_auth_method
        if id_token_signed_response_alg is not UNSET:
            field_dict["id_token_signed_response_alg"] = id_token_signed_response_alg
        if jwks is not UNSET:
            field_dict["jwks"] = jwks
        if access_token_format is not UNSET:
            field_dict["access_token_format"] = access_token_format
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
        client_name = d.pop("client_name")

        def _parse_grant_types(data: object) -> list[ClientCreateGrantTypesType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                grant_types_type_0 = []
                _grant_types_type_0 = data
                for grant_types_type_0_item_data in _grant_types_type_0:
                    grant_types_type_0_item = ClientCreateGrantTypesType0Item(grant_types_type_0_item_data)

                    grant_types_type_0.append(grant_types_type_0_item)

                return grant_types_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ClientCreateGrantTypesType0Item] | None | Unset, data)

        grant_types = _parse_grant_types(d.pop("grant_types", UNSET))

        def _parse_redirect_uris(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                redirect_uris_type_0 = cast(list[str], data)

                return redirect_uris_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        redirect_uris = _parse_redirect_uris(d.pop("redirect_uris", UNSET))

        def _parse_scope(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope = _parse_scope(d.pop("scope", UNSET))

        _token_endpoint_auth_method = d.pop("token_endpoint_auth_method", UNSET)
        token_endpoint_auth_method: ClientCreateTokenEndpointAuthMethod | Unset
        if isinstance(_token_endpoint_auth_method, Unset):
            token_endpoint_auth_method = UNSET
        else:
            token_endpoint_auth_method = ClientCreateTokenEndpointAuthMethod(_token_endpoint_auth_method)

        _id_token_signed_response_alg = d.pop("id_token_signed_response_alg", UNSET)
        id_token_signed_response_alg: ClientCreateIdTokenSignedResponseAlg | Unset
        if isinstance(_id_token_signed_response_alg, Unset):
            id_token_signed_response_alg = UNSET
        else:
            id_token_signed_response_alg = ClientCreateIdTokenSignedResponseAlg(_id_token_signed_response_alg)

        jwks = d.pop("jwks", UNSET)

        _access_token_format = d.pop("access_token_format", UNSET)
        access_token_format: ClientCreateAccessTokenFormat | Unset
        if isinstance(_access_token_format, Unset):
            access_token_format = UNSET
        else:
            access_token_format = ClientCreateAccessTokenFormat(_access_token_format)

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

        client_create = cls(
            client_name=client_name,
            grant_types=grant_types,
            redirect_uris=redirect_uris,
            scope=scope,
            token_endpoint_auth_method=token_endpoint_auth_method,
            id_token_signed_response_alg=id_token_signed_response_alg,
            jwks=jwks,
            access_token_format=access_token_format,
            resource_server=resource_server,
            require_pushed_authorization_requests=require_pushed_authorization_requests,
            dpop_bound_access_tokens=dpop_bound_access_tokens,
        )

        client_create.additional_properties = d
        return client_create

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
