from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.subject_type import SubjectType

T = TypeVar("T", bound="Me")


@_attrs_define
class Me:
    """The caller, as its access token describes it.

    Attributes:
        tenant (str): The tenant's slug.
        subject (str): The token's subject: the user's id, or the client's id.
        subject_type (SubjectType): Whether a token speaks for a person or for an application acting on its own.
        client_id (str): The client the token was issued to.
        scopes (list[str]): The scopes the token grants.
    """

    tenant: str
    subject: str
    subject_type: SubjectType
    client_id: str
    scopes: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        subject = self.subject

        subject_type = self.subject_type.value

        client_id = self.client_id

        scopes = self.scopes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant": tenant,
                "subject": subject,
                "subject_type": subject_type,
                "client_id": client_id,
                "scopes": scopes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tenant = d.pop("tenant")

        subject = d.pop("subject")

        subject_type = SubjectType(d.pop("subject_type"))

        client_id = d.pop("client_id")

        scopes = cast(list[str], d.pop("scopes"))

        me = cls(
            tenant=tenant,
            subject=subject,
            subject_type=subject_type,
            client_id=client_id,
            scopes=scopes,
        )

        me.additional_properties = d
        return me

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
