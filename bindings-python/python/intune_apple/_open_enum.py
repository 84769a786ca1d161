"""The base of every enumeration: a `str` that is also an `enum.Enum` member."""

from __future__ import annotations

import enum
from typing import Optional


class OpenEnum(str, enum.Enum):
    """A Graph enumeration. Members compare equal to their wire spelling
    (``VppTokenState.VALID == "valid"``); a value a newer Graph sends that this version does
    not know becomes a pseudo-member carrying that spelling, instead of an error."""

    @classmethod
    def _missing_(cls, value: object) -> Optional[OpenEnum]:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    def __str__(self) -> str:
        return str(self.value)
