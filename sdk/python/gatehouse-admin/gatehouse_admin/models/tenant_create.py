from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.alg import Alg
from ..types import UNSET, Unset

T = TypeVar("T", bound="TenantCreate")


@_attrs_define
class TenantCreate:
    """A new tenant.

    Example:
        {'slug': 'acme', 'display_name': 'Acme Corporation', 'signing_alg': None}

    Attributes:
        slug (str): Lowercase letters, digits and `-`, at most 63; the tenant's path is `/t/{slug}`.
        display_name (str): The name shown to the tenant's users.
        signing_alg (Alg | None | Unset): Algorithm of the tenant's signing keys; the installation's default when
            absent.
    """

    slug: str
    display_name: str
    signing_alg: Alg | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        slug = self.slug

        display_name = self.display_name

        signing_alg: None | str | Unset
        if isinstance(self.signing_alg, Unset):
            signing_alg = UNSET
        elif isinstance(self.signing_alg, Alg):
            signing_alg = self.signing_alg.value
        else:
            signing_alg = self.signing_alg

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "slug": slug,
                "display_name": display_name,
            }
        )
        if signing_alg is not UNSET:
            field_dict["signing_alg"] = signing_alg

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        slug = d.pop("slug")

        display_name = d.pop("display_name")

        def _parse_signing_alg(data: object) -> Alg | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signing_alg_type_1 = Alg(data)

                return signing_alg_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Alg | None | Unset, data)

        signing_alg = _parse_signing_alg(d.pop("signing_alg", UNSET))

        tenant_create = cls(
            slug=slug,
            display_name=display_name,
            signing_alg=signing_alg,
        )

        tenant_create.additional_properties = d
        return tenant_create

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
