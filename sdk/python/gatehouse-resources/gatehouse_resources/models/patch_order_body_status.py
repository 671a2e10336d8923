from enum import StrEnum


class PatchOrderBodyStatus(StrEnum):
    CANCELLED = "cancelled"
    PAID = "paid"
    PENDING = "pending"
    SHIPPED = "shipped"

    def __str__(self) -> str:
        return str(self.value)
