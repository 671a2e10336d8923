from enum import StrEnum


class SubjectType(StrEnum):
    CLIENT = "client"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)
