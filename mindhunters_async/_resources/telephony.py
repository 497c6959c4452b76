"""client.phone_numbers.trunks and client.sip_trunks: external SIP trunks,
bring-your-own numbers, SIP trunk connections."""

from __future__ import annotations

from ._base import Resource

__all__ = ["SipTrunks", "Trunks"]


class Trunks(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class SipTrunks(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
