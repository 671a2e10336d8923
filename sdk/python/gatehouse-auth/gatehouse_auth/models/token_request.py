from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenRequest")


@_attrs_define
class TokenRequest:
    """A token request (RFC 6749 §4.1.3, §4.4.2, §6), form encoded.

    Attributes:
        grant_type (str | Unset): `authorization_code`, `refresh_token`, `client_credentials` or
            `urn:ietf:params:oauth:grant-type:device_code`.
        scope (str | Unset): Space-separated scopes: with `client_credentials`, all the client may have when absent;
            with `refresh_token`, a narrowing of the granted ones.
        client_id (str | Unset): With `client_secret_post` or a public client: the client's id.
        client_secret (str | Unset): With `client_secret_post`: the client's secret.
        client_assertion_type (str | Unset): With `private_key_jwt`: `urn:ietf:params:oauth:client-assertion-type:jwt-
            bearer`.
        client_assertion (str | Unset): With `private_key_jwt`: a JWT signed with a registered key (RFC 7523).
        code (str | Unset): With `authorization_code`: the code.
        redirect_uri (str | Unset): With `authorization_code`: the redirect URI of the authorization request.
        code_verifier (str | Unset): With `authorization_code`: the PKCE verifier (RFC 7636).
        refresh_token (str | Unset): With `refresh_token`: the refresh token.
        resource (str | Unset): The URL of the one resource the access token is for (RFC 8707), e.g.
            `{public_url}/t/{tenant}/api/v1`; with a code or a refresh token, one of those the
            authorization request named. Without it the token is good on every resource of the
            tenant, or on the one resource the authorization request named.
        device_code (str | Unset): With the device code grant: the `device_code` of the device authorization.
        subject_token (str | Unset): Token exchange (RFC 8693): the user's access token to exchange.
        subject_token_type (str | Unset): Token exchange: `urn:ietf:params:oauth:token-type:access_token`.
        actor_token (str | Unset): Token exchange, for delegation: the access token of whoever acts for the user.
        actor_token_type (str | Unset): Token exchange: `urn:ietf:params:oauth:token-type:access_token`, with
            `actor_token`.
        requested_token_type (str | Unset): Token exchange: `urn:ietf:params:oauth:token-type:access_token` (the only
            one).
        audience (str | Unset): Token exchange: the resource the new token is for, like `resource`.
    """

    grant_type: str | Unset = UNSET
    scope: str | Unset = UNSET
    client_id: str | Unset = UNSET
    client_secret: str | Unset = UNSET
    client_assertion_type: str | Unset = UNSET
    client_assertion: str | Unset = UNSET
    code: str | Unset = UNSET
    redirect_uri: str | Unset = UNSET
    code_verifier: str | Unset = UNSET
    refresh_token: str | Unset = UNSET
    resource: str | Unset = UNSET
    device_code: str | Unset = UNSET
    subject_token: str | Unset = UNSET
    subject_token_type: str | Unset = UNSET
    actor_token: str | Unset = UNSET
    actor_token_type: str | Unset = UNSET
    requested_token_type: str | Unset = UNSET
    audience: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grant_type = self.grant_type

        scope = self.scope

        client_id = self.client_id

        client_secret = self.client_secret

        client_assertion_type = self.client_assertion_type

        client_assertion = self.client_assertion

        code = self.code

        redirect_uri = self.redirect_uri

        code_verifier = self.code_verifier

        refresh_token = self.refresh_token

        resource = self.resource

        device_code = self.device_code

        subject_token = self.subject_token

        subject_token_type = self.subject_token_type

        actor_token = self.actor_token

        actor_token_type = self.actor_token_type

        requested_token_type = self.requested_token_type

        audience = self.audience

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if grant_type is not UNSET:
            field_dict["grant_type"] = grant_type
        if scope is not UNSET:
            field_dict["scope"] = scope
        if client_id is not UNSET:
            field_dict["client_id"] = client_id
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret
        if client_assertion_type is not UNSET:
            field_dict["client_assertion_type"] = client_assertion_type
        if client_assertion is not UNSET:
            field_dict["client_assertion"] = client_assertion
        if code is not UNSET:
            field_dict["code"] = code
        if redirect_uri is not UNSET:
            field_dict["redirect_uri"] = redirect_uri
        if code_verifier is not UNSET:
            field_dict["code_verifier"] = code_verifier
        if refresh_token is not UNSET:
            field_dict["refresh_token"] = refresh_token
        if resource is not UNSET:
            field_dict["resource"] = resource
        if device_code is not UNSET:
            field_dict["device_code"] = device_code
        if subject_token is not UNSET:
            field_dict["subject_token"] = subject_token
        if subject_token_type is not UNSET:
            field_dict["subject_token_type"] = subject_token_type
        if actor_token is not UNSET:
            field_dict["actor_token"] = actor_token
        if actor_token_type is not UNSET:
            field_dict["actor_token_type"] = actor_token_type
        if requested_token_type is not UNSET:
            field_dict["requested_token_type"] = requested_token_type
        if audience is not UNSET:
            field_dict["audience"] = audience

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        grant_type = d.pop("grant_type", UNSET)

        scope = d.pop("scope", UNSET)

        client_id = d.pop("client_id", UNSET)

        client_secret = d.pop("client_secret", UNSET)

        client_assertion_type = d.pop("client_assertion_type", UNSET)

        client_assertion = d.pop("client_assertion", UNSET)

        code = d.pop("code", UNSET)

        redirect_uri = d.pop("redirect_uri", UNSET)

        code_verifier = d.pop("code_verifier", UNSET)

        refresh_token = d.pop("refresh_token", UNSET)

        resource = d.pop("resource", UNSET)

        device_code = d.pop("device_code", UNSET)

        subject_token = d.pop("subject_token", UNSET)

        subject_token_type = d.pop("subject_token_type", UNSET)

        actor_token = d.pop("actor_token", UNSET)

        actor_token_type = d.pop("actor_token_type", UNSET)

        requested_token_type = d.pop("requested_token_type", UNSET)

        audience = d.pop("audience", UNSET)

        token_request = cls(
            grant_type=grant_type,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
            client_assertion_type=client_assertion_type,
            client_assertion=client_assertion,
            code=code,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
            refresh_token=refresh_token,
            resource=resource,
            device_code=device_code,
            subject_token=subject_token,
            subject_token_type=subject_token_type,
            actor_token=actor_token,
            actor_token_type=actor_token_type,
            requested_token_type=requested_token_type,
            audience=audience,
        )

        token_request.additional_properties = d
        return token_request

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
