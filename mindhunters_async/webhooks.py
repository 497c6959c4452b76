"""Webhook deliveries: what the API POSTs to your server, as typed events.

::

    from mindhunters_async import webhooks

    event = webhooks.parse_event(await request.body(), request.headers)
    if isinstance(event, webhooks.ConversationEndReport):
        print(event.call_id, event.duration, event.call_end_analysis)

A delivery is `{"event": "<name>", "data": {...}}`. Each of the six events the API
documents (`mh.WebhookEvent`) has its class here; any other name gives an
`UnknownEvent` that keeps what was sent, so a new event never breaks a receiver.
Every field is optional (the docs show the payloads only in part), `data` holds
the delivery's `data` object as sent, and values are read by the SDK's converter
(camelCase or snake_case keys, the same leniency as for responses).

The API says dashboard webhooks may be signed with a secret key, but publishes
neither the header nor the algorithm, so the SDK verifies nothing by itself: pass
`verify=` (a function of the raw body and the headers) and it runs before parsing.
The FastAPI and aiohttp receivers are in `mindhunters_async.integrations`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Final, Union

import attrs

from ._converter import decoder_for
from ._exceptions import ResponseDecodeError, WebhookError
from ._models.agents import WebhookEvent

__all__ = [
    "ConversationEndReport",
    "ConversationStatus",
    "ConversationUpdate",
    "Event",
    "IntentCall",
    "TextEvaluation",
    "UnknownEvent",
    "Verifier",
    "VoiceEvaluation",
    "WebhookError",
    "parse_event",
]

Verifier = Callable[[bytes, Mapping[str, str]], object]
"""`verify(raw_body, headers)`: return False or raise to refuse a delivery."""


def _aliases(*names: str) -> dict[str, tuple[str, ...]]:
    return {"aliases": names}


@attrs.frozen
class _Delivery:
    """The fields every documented event may carry."""

    call_id: str | None = attrs.field(default=None, metadata=_aliases("call_uuid", "callUuid"))
    conversation_uuid: str | None = attrs.field(
        default=None, metadata=_aliases("conversation_id", "conversationId")
    )
    agent_id: str | None = attrs.field(default=None, metadata=_aliases("agent_uuid", "agentUuid"))
    session_type: str | None = None
    number: str | None = attrs.field(default=None, metadata=_aliases("phone", "phone_number"))
    timestamp: datetime | None = None
    # The delivery's `data` as sent, for what the typed fields do not cover. Left out
    # of repr: it holds the caller's personal data, and reprs end up in logs.
    data: Mapping[str, Any] = attrs.field(factory=dict, repr=False, hash=False)

    event: ClassVar[WebhookEvent]


@attrs.frozen
class ConversationStatus(_Delivery):
    """`conversation_status`: a conversation (call) changed status, such as "ringing"."""

    event: ClassVar[WebhookEvent] = WebhookEvent.CONVERSATION_STATUS

    status: str | None = attrs.field(default=None, metadata=_aliases("conversation_status"))
    direction: str | None = None


@attrs.frozen
class ConversationEndReport(_Delivery):
    """`conversation_end_report`: a conversation ended; its duration and analyses.

    `contact_info`, `sentiment_analysis`, `call_end_analysis`, `appointment` and
    `fields` are the API's JSON as sent: their shapes are not documented.
    """

    event: ClassVar[WebhookEvent] = WebhookEvent.CONVERSATION_END_REPORT

    status: str | None = None
    duration: float | None = None
    contact_info: Any = None
    sentiment_analysis: Any = None
    call_end_analysis: Any = None
    appointment: Any = None
    fields: Any = None


@attrs.frozen
class ConversationUpdate(_Delivery):
    """`conversation_update`: something in a live conversation changed (see `data`)."""

    event: ClassVar[WebhookEvent] = WebhookEvent.CONVERSATION_UPDATE

    status: str | None = None


@attrs.frozen
class VoiceEvaluation(_Delivery):
    """`voice_evaluation`: a call's evaluation is ready; its results are in `data`."""

    event: ClassVar[WebhookEvent] = WebhookEvent.VOICE_EVALUATION


@attrs.frozen
class TextEvaluation(_Delivery):
    """`text_evaluation`: a text conversation's evaluation is ready; results in `data`."""

    event: ClassVar[WebhookEvent] = WebhookEvent.TEXT_EVALUATION


@attrs.frozen
class IntentCall(_Delivery):
    """`intent_call`: the agent recognised one of its intents (`intent`, the intent's
    key) with these `parameters` (as sent)."""

    event: ClassVar[WebhookEvent] = WebhookEvent.INTENT_CALL

    intent: str | None = attrs.field(default=None, metadata=_aliases("intent_key", "key"))
    parameters: Any = attrs.field(default=None, metadata=_aliases("params"))


@attrs.frozen
class UnknownEvent:
    """A delivery whose event this version of the SDK does not know: its name and
    its `data`, as sent (any JSON value)."""

    event: str
    data: Any = attrs.field(default=None, repr=False, hash=False)


Event = Union[  # noqa: UP007 (a runtime alias, and the SDK still supports Python 3.10)
    ConversationStatus,
    ConversationEndReport,
    ConversationUpdate,
    VoiceEvaluation,
    TextEvaluation,
    IntentCall,
    UnknownEvent,
]
"""What `parse_event` returns: one of the six documented events, or `UnknownEvent`."""

_CLASSES: Final[tuple[type[_Delivery], ...]] = (
    ConversationStatus,
    ConversationEndReport,
    ConversationUpdate,
    VoiceEvaluation,
    TextEvaluation,
    IntentCall,
)
# The converter's hook for each class, looked up once.
_READERS: Final[dict[str, Callable[[Any], _Delivery]]] = {
    cls.event.value: decoder_for(cls) for cls in _CLASSES
}


def parse_event(
    body: bytes | str | Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    *,
    verify: Verifier | None = None,
) -> Event:
    """The typed event of one webhook delivery.

    `body` is the request body as received (bytes or str), or its JSON already
    decoded (a dict). `verify`, when given, is called first with the raw body (bytes)
    and `headers` (an empty dict when None); it refuses the delivery by returning
    False or raising. It needs the raw body: with a dict, `verify` raises `TypeError`,
    since a signature over re-encoded JSON cannot be checked.

    Raises `WebhookError` (with `reason`) for a refused or malformed delivery: not
    JSON, not an object, no event name, or a `data` that is not an object for a
    documented event. Never a `json` or `KeyError`.
    """
    if isinstance(body, Mapping):
        if verify is not None:
            raise TypeError(
                "verify= needs the raw body as received (bytes or str), not decoded JSON"
            )
        delivery: Any = body
    else:
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        if verify is not None:
            _verify(verify, raw, {} if headers is None else headers)
        try:
            delivery = json.loads(raw)
        except (ValueError, RecursionError):
            # UnicodeDecodeError is a ValueError. The body is not quoted: personal data.
            raise WebhookError(
                "not JSON", f"the webhook body is not JSON ({len(raw)} bytes)"
            ) from None
    return _event_of(delivery)


def _verify(verify: Verifier, raw: bytes, headers: Mapping[str, str]) -> None:
    try:
        accepted = verify(raw, headers)
    except WebhookError:
        raise
    except Exception as exc:
        raise WebhookError(
            "rejected by verify", f"the webhook delivery was rejected by verify: {exc}"
        ) from exc
    if accepted is False:
        raise WebhookError("rejected by verify", "the webhook delivery was rejected by verify")


def _event_of(delivery: Any) -> Event:
    if not isinstance(delivery, Mapping):
        raise WebhookError(
            "not an object",
            f"the webhook body is a JSON {type(delivery).__name__}, not an object"
            ' {"event": ..., "data": {...}}',
        )
    name = delivery.get("event")
    if not isinstance(name, str) or not name.strip():
        raise WebhookError(
            "no event name", 'the webhook body has no "event" name (a non-empty string)'
        )
    name = name.strip()
    if "data" in delivery:
        data = delivery["data"]
    else:
        # A flat delivery, {"event": ..., "call_id": ...}, carries its data beside the name.
        data = {key: value for key, value in delivery.items() if key != "event"}
    read = _READERS.get(name)
    if read is None:
        return UnknownEvent(event=name, data=data)
    if not isinstance(data, Mapping):
        raise WebhookError(
            "data is not an object",
            f'the "data" of the {name} delivery is a JSON {type(data).__name__}, not an object',
        )
    try:
        event = read(data)
    except ResponseDecodeError as exc:  # pragma: no cover - every field is optional
        raise WebhookError("unreadable", f"the {name} delivery cannot be read: {exc}") from None
    # evolve, not the converter: a key named "data" inside the payload must not win.
    return attrs.evolve(event, data=data)  # type: ignore[return-value]
