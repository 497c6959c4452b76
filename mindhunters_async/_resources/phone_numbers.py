"""client.phone_numbers: owned numbers, buying them, rates."""

from __future__ import annotations

from ._base import Resource

__all__ = ["PhoneNumbers"]


class PhoneNumbers(Resource):
    """Phone numbers."""

    __slots__ = ()
