from enum import StrEnum


class RegistrationMode(StrEnum):
    CLOSED = "closed"
    INITIAL_ACCESS_TOKEN = "initial_access_token"
    OPEN = "open"

    def __str__(self) -> str:
        return str(self.value)
