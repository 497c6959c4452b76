"""client.conversations: conversations, their sessions and messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._converter import decoder
from .._exceptions import ErrorCode, RequestValidationError
from .._models.conversations import Conversation, ConversationMessage, ConversationSession
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import validate_e164, validate_uuid
from ._base import Resource, paging_rules, uuid_path

__all__ = ["Conversations"]


def _sort_dir(value: object, field: str) -> None:
    if value not in ("asc", "desc"):
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f'{field} must be "asc" or "desc", got {value!r}'
        )


_SORT_DIR = Rule("sort_dir", _sort_dir, "params", required=False)

LIST = Endpoint(
    "conversations.list",
    "GET",
    "/conversations",
    rules=paging_rules(
        100,
        Rule("phone", validate_e164, "params", required=False),
        Rule("contact_uuid", validate_uuid, "params", required=False),
        Rule("agent_uuid", validate_uuid, "params", required=False),
        _SORT_DIR,
    ),
)
GET = Endpoint(
    "conversations.get",
    "GET",
    "/conversations/{conversation_id}",
    rules=uuid_path("conversation_id"),
    source="inferred",
)
SESSIONS = Endpoint(
    "conversations.sessions",
    "GET",
    "/conversations/{conversation_id}/sessions",
    rules=(*uuid_path("conversation_id"), *paging_rules(100)),
)
MESSAGES = Endpoint(
    "conversations.messages",
    "GET",
    "/conversations/{conversation_id}/messages",
    rules=(*uuid_path("conversation_id"), *paging_rules(100, _SORT_DIR)),
)

_conversation = decoder(Conversation)


class Conversations(Resource):
    """Conversations between agents and contacts: `list` pages through them, `get`
    reads one, `sessions` and `messages` page through what happened in one."""

    __slots__ = ()

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        phone: str | None = None,
        contact_uuid: str | Any | None = None,
        agent_uuid: str | Any | None = None,
        channel: str | None = None,
        status: str | None = None,
        sort_by: str | None = None,
        sort_dir: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[Conversation]:
        """Conversations, filtered by the contact's `phone` (E.164, checked before
        sending; the API matches it partially), `contact_uuid`, `agent_uuid`,
        `channel` (such as "Call" or "Whatsapp") or `status`, ordered by `sort_by`
        in `sort_dir` ("asc" or "desc").

        `await` it for one `Page`, or `async for` it for every conversation.
        `per_page` is at most 100 (the API's default is 15).
        """
        return self._pager(
            LIST,
            Conversation,
            params={
                "phone": phone,
                "contact_uuid": contact_uuid,
                "agent_uuid": agent_uuid,
                "channel": channel,
                "status": status,
                "sort_by": sort_by,
                "sort_dir": sort_dir,
            },
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def get(
        self,
        conversation_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Conversation:
        """The conversation with this id (a UUID, such as the `conversation_uuid` of a
        placed call); `NotFoundError` when there is none. The path is inferred (seen
        only in a third-party client of the API)."""
        result: Conversation = await self._send(
            GET,
            _conversation,
            path={"conversation_id": conversation_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result

    def sessions(
        self,
        conversation_id: str | Any,
        *,
        per_page: int | None = None,
        page: int = 1,
        status: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[ConversationSession]:
        """The sessions of a conversation (each call or chat stretch), with their
        summaries. Paged like `list` (`per_page` at most 100); an answer that is a
        plain list comes back as a single page."""
        return self._pager(
            SESSIONS,
            ConversationSession,
            path={"conversation_id": conversation_id},
            params={"status": status},
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    def messages(
        self,
        conversation_id: str | Any,
        *,
        per_page: int | None = None,
        page: int = 1,
        sort_dir: str | None = None,
        sender: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[ConversationMessage]:
        """The messages of a conversation, oldest first unless `sort_dir="desc"`,
        optionally only those of one `sender` ("AI", "Human" or "Contact").

        `per_page` is at most 100 (the API's default is 25).
        """
        return self._pager(
            MESSAGES,
            ConversationMessage,
            path={"conversation_id": conversation_id},
            params={"sort_dir": sort_dir, "sender": sender},
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
