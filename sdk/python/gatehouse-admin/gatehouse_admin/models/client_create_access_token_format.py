from enum import StrEnum


class ClientCreateAccessTokenFormat(StrEnum):
    JWT = "jwt"
    OPAQUE = "opaque"

    def __str__(self) -> str:
        return str(self.value)
