"""Transcriptions: an audio upload accepted for transcription, and its transcript."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from . import _aliases

__all__ = ["Transcript", "TranscriptConversation", "TranscriptMessage", "Transcription"]


@attrs.frozen(slots=False)
class Transcription:
    """A transcription job, as `client.transcriptions.create` answers: accepted, not done.

    Only `id` is sure to be set (the API sends it as `uuid`); `status` starts as
    "pending". The result is POSTed to the job's `webhook_url` when it is done, and
    `client.transcriptions.transcript(id)` reads it. The webhook token is never
    shown back.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "transcription_uuid", "transcription_id"))
    reference_id: str | None = None
    status: str | None = None
    s3_file_path: str | None = None
    s3_file_url: str | None = None
    qa_agent_uuid: str | None = None
    coaching_agent_uuid: str | None = None
    created_at: datetime | None = None


@attrs.frozen(slots=False)
class TranscriptMessage:
    """One turn of a transcript: who spoke (`role`, such as "Customer") and what."""

    role: str | None = attrs.field(default=None, metadata=_aliases("speaker", "sender"))
    content: str | None = attrs.field(default=None, metadata=_aliases("text", "message"))


@attrs.frozen(slots=False)
class TranscriptConversation:
    """The transcribed conversation: its `messages`, and the whole text as `plain`."""

    id: str | None = attrs.field(default=None, metadata=_aliases("uuid", "conversation_uuid"))
    plain: str | None = None
    messages: tuple[TranscriptMessage, ...] | None = None


@attrs.frozen(slots=False)
class Transcript:
    """The result of a transcription: the conversation's messages and its evaluations.

    `messages` is a shortcut to `conversation.messages` (empty while the job is not
    done). `session` and `evaluations` are kept as the API sends them: their shapes
    are not documented (`evaluations` is an object keyed by evaluation).
    """

    id: str = attrs.field(metadata=_aliases("uuid", "transcription_uuid", "transcription_id"))
    reference_id: str | None = None
    status: str | None = None
    qa_agent_uuid: str | None = None
    coaching_agent_uuid: str | None = None
    conversation: TranscriptConversation | None = None
    session: Any = None
    evaluations: Any = None
    processed_at: datetime | None = None
    timestamp: float | None = None

    @property
    def messages(self) -> tuple[TranscriptMessage, ...]:
        """The conversation's messages, oldest first (empty when there are none yet)."""
        conversation = self.conversation
        if conversation is None or conversation.messages is None:
            return ()
        return conversation.messages
