from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PushedAuthorizationRequest")


@_attrs_define
class PushedAuthorizationRequest:
    """An authorization request (RFC 6749 §4.1.1, RFC 7636, RFC 8707), form encoded, with the
    client's authentication as at the token endpoint.

        Attributes:
            response_type (str | Unset): `code`.
            client_id (str | Unset): The client; required unless it authenticates with HTTP Basic.
            redirect_uri (str | Unset): One of the client's registered redirect URIs; may be left out if it has only one.
            scope (str | Unset): Space-separated scopes.
            state (str | Unset):
            nonce (str | Unset): OpenID Connect: echoed in the ID token.
            code_challenge (str | Unset): The PKCE challenge (RFC 7636): 43 to 128 characters of base64url.
            code_challenge_method (str | Unset): `S256`.
            prompt (str | Unset): `none`, `login` or `consent`, space separated.
            resource (str | Unset): The resource the tokens are for (RFC 8707); one here (several may be named on the
                authorization endpoint's query).
            request_uri (str | Unset): Not allowed here (RFC 9126 §2.1); refused with `invalid_request`.
            dpop_jkt (str | Unset): The thumbprint of the DPoP key the code is bound to (RFC 9449 §10); a `DPoP` proof
                sent with this request binds it to the proof's key instead (§10.1).
            client_secret (str | Unset): With `client_secret_post`: the client's secret.
            client_assertion_type (str | Unset): With `private_key_jwt`: `urn:ietf:params:oauth:client-assertion-type:jwt-
                bearer`.
            client_assertion (str | Unset): With `private_key_jwt`: a JWT signed with a registered key (RFC 7523).
    """

    response_type: str | Unset = UNSET
    client_id: str | Unset = UNSET
    redirect_uri: str | Unset = UNSET
    scope: str | Unset = UNSET
    state: str | Unset = UNSET
    nonce: str | Unset = UNSET
    code_challenge: str | Unset = UNSET
    code_challenge_method: str | Unset = UNSET
    prompt: str | Unset = UNSET
    resource: str | Unset = UNSET
    request_uri: str | Unset = UNSET
    dpop_jkt: str | Unset = UNSET
    client_secret: str | Unset = UNSET
    client_assertion_type: str | Unset = UNSET
    client_assertion: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        response_type = self.response_type

        client_id = self.client_id

        redirect_uri = self.redirect_uri

        scope = self.scope

        state = self.state

        nonce = self.nonce

        code_challenge = self.code_challenge

        code_challenge_method = self.code_challenge_method

        prompt = self.prompt

        resource = self.resource

        request_uri = self.request_uri

        dpop_jkt = self.dpop_jkt

        client_secret = self.client_secret

        client_assertion_type = self.client_assertion_type

        client_assertion = self.client_assertion

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if response_type is not UNSET:
            field_dict["response_type"] = response_type
        if client_id is not UNSET:
            field_dict["client_id"] = client_id
        if redirect_uri is not UNSET:
            field_dict["redirect_uri"] = redirect_uri
        if scope is not UNSET:
            field_dict["scope"] = scope
        if state is not UNSET:
            field_dict["state"] = state
        if nonce is not UNSET:
            field_dict["nonce"] = nonce
        if code_challenge is not UNSET:
            field_dict["code_challenge"] = code_challenge
        if code_challenge_method is not UNSET:
            field_dict["code_challenge_method"] = code_challenge_method
        if prompt is not UNSET:
            field_dict["prompt"] = prompt
        if resource is not UNSET:
            field_dict["resource"] = resource
        if request_uri is not UNSET:
            field_dict["request_uri"] = request_uri
        if dpop_jkt is not UNSET:
            field_dict["dpop_jkt"] = dpop_jkt
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret
        if client_assertion_type is not UNSET:
            field_dict["client_assertion_type"] = client_assertion_type
        if client_assertion is not UNSET:
            field_dict["client_assertion"] = client_assertion

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        response_type = d.pop("response_type", UNSET)

        client_id = d.pop("client_id", UNSET)

        redirect_uri = d.pop("redirect_uri", UNSET)

        scope = d.pop("scope", UNSET)

        state = d.pop("state", UNSET)

        nonce = d.pop("nonce", UNSET)

        code_challenge = d.pop("code_challenge", UNSET)

        code_challenge_method = d.pop("code_challenge_method", UNSET)

        prompt = d.pop("prompt", UNSET)

        resource = d.pop("resource", UNSET)

        request_uri = d.pop("request_uri", UNSET)

        dpop_jkt = d.pop("dpop_jkt", UNSET)

        client_secret = d.pop("client_secret", UNSET)

        client_assertion_type = d.pop("client_assertion_type", UNSET)

        client_assertion = d.pop("client_assertion", UNSET)

        pushed_authorization_request = cls(
            response_type=response_type,
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            state=state,
            nonce=nonce,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            prompt=prompt,
            resource=resource,
            request_uri=request_uri,
            dpop_jkt=dpop_jkt,
            client_secret=client_secret,
            client_assertion_type=client_assertion_type,
            client_assertion=client_assertion,
        )

        pushed_authorization_request.additional_properties = d
        return pushed_authorization_request

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
