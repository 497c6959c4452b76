"""What sending an SMS or a WhatsApp template answers, WhatsApp templates, and agentic search."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._config import TextEnum
from . import _aliases

__all__ = ["AgenticSearchResult", "SentMessage", "TemplateCategory", "WhatsAppTemplate"]


class TemplateCategory(TextEnum):
    """Meta's categories of a WhatsApp template; the category sets its pricing and review.

    Members compare equal to their string values ("MARKETING", ...).
    """

    MARKETING = "MARKETING"
    UTILITY = "UTILITY"
    AUTHENTICATION = "AUTHENTICATION"


@attrs.frozen(slots=False)
class SentMessage:
    """A message handed to the carrier: `client.sms.send` and `client.whatsapp.send_template`.

    `message_id` is the provider's id (a UUID for SMS, a `wamid.` id for WhatsApp),
    `conversation_id` the conversation the message joined (a UUID, or a number in the
    WhatsApp examples, read as its string), `template_name` the WhatsApp template's name.
    Every field may be None: the API's answers vary.
    """

    message_id: str | None = attrs.field(default=None, metadata=_aliases("id", "uuid"))
    recipient_phone: str | None = attrs.field(default=None, metadata=_aliases("phone_number"))
    conversation_id: str | None = attrs.field(default=None, metadata=_aliases("conversation_uuid"))
    template_name: str | None = None
    status: str | None = None


@attrs.frozen(slots=False)
class WhatsAppTemplate:
    """A WhatsApp message template (`client.whatsapp.create_template`).

    `id` is the template's uuid, the `template_id` to send it with; `template_id`
    here is Meta's own id. `status` is Meta's review state ("APPROVED", "PENDING",
    "REJECTED"); only approved templates can be sent. `components` are kept as the
    API sends them (Meta's component objects).
    """

    id: str = attrs.field(metadata=_aliases("uuid", "template_uuid"))
    name: str | None = None
    language: str | None = None
    category: str | None = None
    status: str | None = None
    content: str | None = None
    components: Any = None
    template_id: str | None = None
    waba_id: str | None = None
    phone_number: str | None = None
    type: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class AgenticSearchResult:
    """The answer of `client.agentic_search.run`: `answer`, and its `citations` as the
    API sends them (URLs as strings in the documented example)."""

    answer: str | None = None
    citations: tuple[Any, ...] | None = None
