"""client.sms and client.whatsapp: messages sent by an agent."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Sms", "WhatsApp"]


class Sms(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class WhatsApp(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
