"""The fake's live-call control: `/calls/action/{conversation_uuid}/...`."""

from __future__ import annotations

import re
from typing import Any, Final

import httpx

from .._api import Incoming, Route
from .._envelopes import ApiError, not_found, success, validation_error
from .._records import action_route
from .._state import FakeCall, FakeState

__all__ = ["ROUTES"]

_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")
_LIVE: Final = frozenset({"initiated", "ringing", "in-progress"})


def _live_call(state: FakeState, incoming: Incoming) -> FakeCall | ApiError:
    wanted = incoming.params["uuid"]
    for call in state.calls.values():
        if call.conversation_uuid == wanted:
            return call
    return not_found("Conversation", wanted)


def _action(name: str, *, field: str | None = None, done: str) -> Route:
    def act(
        state: FakeState, incoming: Incoming, body: dict[str, Any]
    ) -> httpx.Response | ApiError:
        call = _live_call(state, incoming)
        if isinstance(call, ApiError):
            return call
        if field is not None:
            value = body.get(field)
            if not isinstance(value, str) or not value.strip():
                return validation_error("VALIDATION_ERROR", field, f"The {field} field is required")
            if field == "number" and not _E164.fullmatch(value):
                return validation_error(
                    "INVALID_FORMAT",
                    field,
                    "Phone number must be in E.164 format (e.g., +1234567890)",
                )
        if call.status not in _LIVE:
            return ApiError(
                409, "Call is not active", "CALL_NOT_ACTIVE", f"The call is {call.status}"
            )
        call.actions.append((name, body))
        if name in ("mute", "unmute"):
            call.muted = name == "mute"
        elif name == "hangup":
            if call.script is None:
                call.status = "completed"
            else:
                state.end_call(call, "completed")
        return success(200, done, {})

    return action_route("POST", f"/calls/action/{{uuid}}/{name}", "calls:write", act)


ROUTES: Final[tuple[Route, ...]] = (
    _action("say", field="message", done="Say dispatched"),
    _action("mute", done="Mute dispatched"),
    _action("unmute", done="Unmute dispatched"),
    _action("hangup", done="Hangup dispatched"),
    _action("forward", field="number", done="Forward dispatched"),
)
