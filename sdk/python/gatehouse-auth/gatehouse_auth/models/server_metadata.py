from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ServerMetadata")


@_attrs_define
class ServerMetadata:
    """Authorization server metadata (RFC 8414 / OpenID Connect Discovery); lists only what this
    server really supports.

        Attributes:
            issuer (str):
            authorization_endpoint (str):
            token_endpoint (str):
            userinfo_endpoint (str):
            introspection_endpoint (str):
            revocation_endpoint (str):
            scopes_supported (list[str]):
            claims_supported (list[str]):
            token_endpoint_auth_signing_alg_values_supported (list[str]):
            introspection_endpoint_auth_methods_supported (list[str]):
            revocation_endpoint_auth_methods_supported (list[str]):
            jwks_uri (str):
            response_types_supported (list[str]):
            grant_types_supported (list[str]):
            token_endpoint_auth_methods_supported (list[str]):
            subject_types_supported (list[str]):
            id_token_signing_alg_values_supported (list[str]):
            code_challenge_methods_supported (list[str]):
            dpop_signing_alg_values_supported (list[str]): The algorithms of DPoP proofs (RFC 9449 §5.1).
            authorization_response_iss_parameter_supported (bool): RFC 9207: authorization responses carry `iss`.
            response_modes_supported (list[str]):
            prompt_values_supported (list[str]):
            pushed_authorization_request_endpoint (str): RFC 9126.
            require_pushed_authorization_requests (bool): RFC 9126 §5: every authorization request of this tenant must be
                pushed first.
            device_authorization_endpoint (str): RFC 8628.
            client_id_metadata_document_supported (bool): Whether a `client_id` may be the https URL of the client's
                metadata document (Client ID
                Metadata Documents), per the tenant's policy.
            registration_endpoint (str | Unset): RFC 7591: where clients register themselves; only when the tenant's policy
                lets them.
    """

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    introspection_endpoint: str
    revocation_endpoint: str
    scopes_supported: list[str]
    claims_supported: list[str]
    token_endpoint_auth_signing_alg_values_supported: list[str]
    introspection_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    jwks_uri: str
    response_types_supported: list[str]
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    code_challenge_methods_supported: list[str]
    dpop_signing_alg_values_supported: list[str]
    authorization_response_iss_parameter_supported: bool
    response_modes_supported: list[str]
    prompt_values_supported: list[str]
    pushed_authorization_request_endpoint: str
    require_pushed_authorization_requests: bool
    device_authorization_endpoint: str
    client_id_metadata_document_supported: bool
    registration_endpoint: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        issuer = self.issuer

        authorization_endpoint = self.authorization_endpoint

        token_endpoint = self.token_endpoint

        userinfo_endpoint = self.userinfo_endpoint

        introspection_endpoint = self.introspection_endpoint

        revocation_endpoint = self.revocation_endpoint

        scopes_supported = self.scopes_supported

        claims_supported = self.claims_supported

        token_endpoint_auth_signing_alg_values_supported = self.token_endpoint_auth_signing_alg_values_supported

        introspection_endpoint_auth_methods_supported = self.introspection_endpoint_auth_methods_supported

        revocation_endpoint_auth_methods_supported = self.revocation_endpoint_auth_methods_supported

        jwks_uri = self.jwks_uri

        response_types_supported = self.response_types_supported

        grant_types_supported = self.grant_types_supported

        token_endpoint_auth_methods_supported = self.token_endpoint_auth_methods_supported

        subject_types_supported = self.subject_types_supported

        id_token_signing_alg_values_supported = self.id_token_signing_alg_values_supported

        code_challenge_methods_supported = self.code_challenge_methods_supported

        dpop_signing_alg_values_supported = self.dpop_signing_alg_values_supported

        authorization_response_iss_parameter_supported = self.authorization_response_iss_parameter_supported

        response_modes_supported = self.response_modes_supported

        prompt_values_supported = self.prompt_values_supported

        pushed_authorization_request_endpoint = self.pushed_authorization_request_endpoint

        require_pushed_authorization_requests = self.require_pushed_authorization_requests

        device_authorization_endpoint = self.device_authorization_endpoint

        client_id_metadata_document_supported = self.client_id_metadata_document_supported

        registration_endpoint = self.registration_endpoint

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "issuer": issuer,
                "authorization_endpoint": authorization_endpoint,
                "token_endpoint": token_endpoint,
                "userinfo_endpoint": userinfo_endpoint,
                "introspection_endpoint": introspection_endpoint,
                "revocation_endpoint": revocation_endpoint,
                "scopes_supported": scopes_supported,
                "claims_supported": claims_supported,
                "token_endpoint_auth_signing_alg_values_supported": token_endpoint_auth_signing_alg_values_supported,
                "introspection_endpoint_auth_methods_supported": introspection_endpoint_auth_methods_supported,
                "revocation_endpoint_auth_methods_supported": revocation_endpoint_auth_methods_supported,
                "jwks_uri": jwks_uri,
                "response_types_supported": response_types_supported,
                "grant_types_supported": grant_types_supported,
                "token_endpoint_auth_methods_supported": token_endpoint_auth_methods_supported,
                "subject_types_supported": subject_types_supported,
                "id_token_signing_alg_values_supported": id_token_signing_alg_values_supported,
                "code_challenge_methods_supported": code_challenge_methods_supported,
                "dpop_signing_alg_values_supported": dpop_signing_alg_values_supported,
                "authorization_response_iss_parameter_supported": authorization_response_iss_parameter_supported,
                "response_modes_supported": response_modes_supported,
                "prompt_values_supported": prompt_values_supported,
                "pushed_authorization_request_endpoint": pushed_authorization_request_endpoint,
                "require_pushed_authorization_requests": require_pushed_authorization_requests,
                "device_authorization_endpoint": device_authorization_endpoint,
                "client_id_metadata_document_supported": client_id_metadata_document_supported,
            }
        )
        if registration_endpoint is not UNSET:
            field_dict["registration_endpoint"] = registration_endpoint

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        issuer = d.pop("issuer")

        authorization_endpoint = d.pop("authorization_endpoint")

        token_endpoint = d.pop("token_endpoint")

        userinfo_endpoint = d.pop("userinfo_endpoint")

        introspection_endpoint = d.pop("introspection_endpoint")

        revocation_endpoint = d.pop("revocation_endpoint")

        scopes_supported = cast(list[str], d.pop("scopes_supported"))

        claims_supported = cast(list[str], d.pop("claims_supported"))

        token_endpoint_auth_signing_alg_values_supported = cast(
            list[str], d.pop("token_endpoint_auth_signing_alg_values_supported")
        )

        introspection_endpoint_auth_methods_supported = cast(
            list[str], d.pop("introspection_endpoint_auth_methods_supported")
        )

        revocation_endpoint_auth_methods_supported = cast(
            list[str], d.pop("revocation_endpoint_auth_methods_supported")
        )

        jwks_uri = d.pop("jwks_uri")

        response_types_supported = cast(list[str], d.pop("response_types_supported"))

        grant_types_supported = cast(list[str], d.pop("grant_types_supported"))

        token_endpoint_auth_methods_supported = cast(list[str], d.pop("token_endpoint_auth_methods_supported"))

        subject_types_supported = cast(list[str], d.pop("subject_types_supported"))

        id_token_signing_alg_values_supported = cast(list[str], d.pop("id_token_signing_alg_values_supported"))

        code_challenge_methods_supported = cast(list[str], d.pop("code_challenge_methods_supported"))

        dpop_signing_alg_values_supported = cast(list[str], d.pop("dpop_signing_alg_values_supported"))

        authorization_response_iss_parameter_supported = d.pop("authorization_response_iss_parameter_supported")

        response_modes_supported = cast(list[str], d.pop("response_modes_supported"))

        prompt_values_supported = cast(list[str], d.pop("prompt_values_supported"))

        pushed_authorization_request_endpoint = d.pop("pushed_authorization_request_endpoint")

        require_pushed_authorization_requests = d.pop("require_pushed_authorization_requests")

        device_authorization_endpoint = d.pop("device_authorization_endpoint")

        client_id_metadata_document_supported = d.pop("client_id_metadata_document_supported")

        registration_endpoint = d.pop("registration_endpoint", UNSET)

        server_metadata = cls(
            issuer=issuer,
            authorization_endpoint=authorization_endpoint,
            token_endpoint=token_endpoint,
            userinfo_endpoint=userinfo_endpoint,
            introspection_endpoint=introspection_endpoint,
            revocation_endpoint=revocation_endpoint,
            scopes_supported=scopes_supported,
            claims_supported=claims_supported,
            token_endpoint_auth_signing_alg_values_supported=token_endpoint_auth_signing_alg_values_supported,
            introspection_endpoint_auth_methods_supported=introspection_endpoint_auth_methods_supported,
            revocation_endpoint_auth_methods_supported=revocation_endpoint_auth_methods_supported,
            jwks_uri=jwks_uri,
            response_types_supported=response_types_supported,
            grant_types_supported=grant_types_supported,
            token_endpoint_auth_methods_supported=token_endpoint_auth_methods_supported,
            subject_types_supported=subject_types_supported,
            id_token_signing_alg_values_supported=id_token_signing_alg_values_supported,
            code_challenge_methods_supported=code_challenge_methods_supported,
            dpop_signing_alg_values_supported=dpop_signing_alg_values_supported,
            authorization_response_iss_parameter_supported=authorization_response_iss_parameter_supported,
            response_modes_supported=response_modes_supported,
            prompt_values_supported=prompt_values_supported,
            pushed_authorization_request_endpoint=pushed_authorization_request_endpoint,
            require_pushed_authorization_requests=require_pushed_authorization_requests,
            device_authorization_endpoint=device_authorization_endpoint,
            client_id_metadata_document_supported=client_id_metadata_document_supported,
            registration_endpoint=registration_endpoint,
        )

        server_metadata.additional_properties = d
        return server_metadata

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
