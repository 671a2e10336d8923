from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExchangeRule")


@_attrs_define
class ExchangeRule:
    """What one client may do at the token endpoint with
    `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`.

        Attributes:
            client_id (str): The exchanging client (a confidential client of the tenant).
            audiences (list[str]): The resources (their URLs, RFC 8707) the new tokens may be aimed at.
            delegation (bool | None | Unset): `true`: the new token says who acts for the user (an `act` claim naming the
                actor
                token's subject, or the client itself). Default: False.
            impersonation (bool | None | Unset): `true`: without an actor token and when delegation is not allowed, the new
                token speaks
                for the user alone, with no `act` claim. Keep it for services trusted as the user. Default: False.
    """

    client_id: str
    audiences: list[str]
    delegation: bool | None | Unset = False
    impersonation: bool | None | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        audiences = self.audiences

        delegation: bool | None | Unset
        if isinstance(self.delegation, Unset):
            delegation = UNSET
        else:
            delegation = self.delegation

        impersonation: bool | None | Unset
        if isinstance(self.impersonation, Unset):
            impersonation = UNSET
        else:
            impersonation = self.impersonation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_id": client_id,
                "audiences": audiences,
            }
        )
        if delegation is not UNSET:
            field_dict["delegation"] = delegation
        if impersonation is not UNSET:
            field_dict["impersonation"] = impersonation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        audiences = cast(list[str], d.pop("audiences"))

        def _parse_delegation(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        delegation = _parse_delegation(d.pop("delegation", UNSET))

        def _parse_impersonation(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        impersonation = _parse_impersonation(d.pop("impersonation", UNSET))

        exchange_rule = cls(
            client_id=client_id,
            audiences=audiences,
            delegation=delegation,
            impersonation=impersonation,
        )

        exchange_rule.additional_properties = d
        return exchange_rule

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
