"""What the fake remembers: its agents and calls, and how the API shows them.

A call placed through `POST /call` follows a `CallScript` on the fake's clock:
its steps (status, time) are laid out when it is placed and applied when the clock
has passed them, at the start of each request and by `FakeMindhunters.advance`.
Each status change queues the webhook deliveries of the call's agent in `outbox`,
which the fake sends (asynchronously) from there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, Final

import attrs

__all__ = ["CALL_OUTCOMES", "CallScript", "FakeAgent", "FakeCall", "FakeState", "Outgoing"]

CALL_OUTCOMES: Final = frozenset({"completed", "no-answer", "busy", "failed"})
"""How a scripted call may end."""
FINAL_STATUSES: Final = frozenset({*CALL_OUTCOMES, "canceled"})
_WEBHOOKS: Final = "agent_webhooks"


def _seconds(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{attribute.name} must be a number of seconds >= 0, got {value!r}")


def _outcome(_: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in CALL_OUTCOMES:
        raise ValueError(f"outcome must be one of {sorted(CALL_OUTCOMES)}, got {value!r}")


@attrs.frozen
class CallScript:
    """How a placed call unfolds on the fake's clock, in seconds after the previous step.

    "completed": initiated, ringing after `ring_after`, in-progress after
    `answer_after` more, completed after `talk` more (its `duration`).
    "no-answer": rings for `answer_after`, then no-answer. "busy" and "failed":
    end `ring_after` after being placed, without ringing.
    """

    outcome: str = attrs.field(default="completed", validator=_outcome)
    ring_after: float = attrs.field(default=2.0, validator=_seconds)
    answer_after: float = attrs.field(default=6.0, validator=_seconds)
    talk: float = attrs.field(default=45.0, validator=_seconds)

    def steps(self, start: float) -> list[tuple[float, str]]:
        """(clock time, status) of each step after "initiated", for a call placed at `start`."""
        ringing = start + self.ring_after
        if self.outcome in ("busy", "failed"):
            return [(ringing, self.outcome)]
        answered = ringing + self.answer_after
        if self.outcome == "no-answer":
            return [(ringing, "ringing"), (answered, "no-answer")]
        return [
            (ringing, "ringing"),
            (answered, "in-progress"),
            (answered + self.talk, "completed"),
        ]


@attrs.frozen
class Outgoing:
    """A webhook delivery waiting to be sent: to `url`, the JSON `body` of `event`."""

    url: str
    event: str
    body: dict[str, Any]


def _timestamp(moment: datetime) -> str:
    # Laravel's default JSON form of a date: UTC, microseconds, "Z".
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@attrs.define
class FakeAgent:
    """An agent the fake knows; calls may be placed only through known agents."""

    uuid: str
    name: str
    description: str = ""
    status: str = "active"
    language: str = "en"

    def to_json(self) -> dict[str, Any]:
        """The agent as `GET /agents` and `GET /agents/{uuid}` show it."""
        return {
            "agent_uuid": self.uuid,
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "language": self.language,
        }


@attrs.define
class FakeCall:
    """A call in the fake's state. Tests may change `status` or `duration` to move it along.

    `body` is the JSON body of the `POST /call` that created it (None for calls added with
    `FakeMindhunters.add_call`), and `idempotency_key` the header that request carried.
    """

    id: str
    agent_id: str
    number: str
    direction: str
    status: str
    created_at: datetime
    updated_at: datetime
    duration: int = 0
    provider: str = "twilio"
    idempotency_key: str | None = None
    body: dict[str, Any] | None = None
    conversation_uuid: str = attrs.Factory(lambda: str(uuid.uuid4()))
    contact_uuid: str = attrs.Factory(lambda: str(uuid.uuid4()))
    muted: bool = False
    actions: list[tuple[str, dict[str, Any]]] = attrs.Factory(list)
    """The live-call actions received (`say`, `mute`, ...), in order, with their bodies."""
    script: CallScript | None = None
    """How the call unfolds on the fake's clock; None for a call that stays as it is."""
    steps: list[tuple[float, str]] = attrs.Factory(list)
    """The script's steps still to come: (clock time, status), in order."""
    answered_at: float | None = None
    scripted_status: str | None = None

    def to_created_json(self) -> dict[str, Any]:
        """The `data` of the `POST /call` response."""
        return {
            "id": self.id,
            "agentId": self.agent_id,
            "provider": self.provider,
            "status": self.status,
            "participant": {"number": self.number},
            "createdAt": _timestamp(self.created_at),
            "conversation_uuid": self.conversation_uuid,
            "contact_uuid": self.contact_uuid,
            "listen_url": f"wss://fake.mindhunters.ai/listen/{self.conversation_uuid}",
            "record_url": f"https://fake.mindhunters.ai/recordings/{self.conversation_uuid}.mp3",
        }

    def to_list_item(self, agent: FakeAgent, *, show_number: bool = True) -> dict[str, Any]:
        """The call as an item of `GET /calls`; `agent` is the one that made it.

        The participant's number is in `communication`, as `{"channel": "call",
        "number": ...}`. That shape is an assumption, the most likely one: the
        docs name a `communication` field on call-list items without showing it,
        and the one call-shaped payload they do show (a webhook's `data`) carries
        the participant as `number`. `show_number=False` leaves the field out, as
        an API that does not show it would (`FakeMindhunters(show_call_numbers=False)`).
        """
        item: dict[str, Any] = {
            "uuid": self.id,
            "agent": {"name": agent.name, "uuid": agent.uuid},
            "direction": self.direction,
            "status": self.status,
            "duration": self.duration,
            "createdAt": _timestamp(self.created_at),
            "updatedAt": _timestamp(self.updated_at),
        }
        if show_number:
            item["communication"] = {"channel": "call", "number": self.number}
        return item

    def to_json(self, agent: FakeAgent, *, show_number: bool = True) -> dict[str, Any]:
        """The call as `GET /calls/{uuid}` shows it: a list item plus `id`."""
        return {"id": self.id, **self.to_list_item(agent, show_number=show_number)}


@attrs.define
class FakeState:
    """Agents and calls by id, in insertion order; `clock` gives seconds since the epoch.

    With `replay_idempotency_keys`, a `POST /call` whose Idempotency-Key was seen
    before answers with the call that key created instead of placing another.
    `call_list_lag` (seconds) is how long a new call stays out of `GET /calls`;
    `show_call_numbers=False` serves calls without the participant's number.
    """

    clock: Callable[[], float]
    replay_idempotency_keys: bool = False
    call_list_lag: float = 0.0
    show_call_numbers: bool = True
    agents: dict[str, FakeAgent] = attrs.Factory(dict)
    calls: dict[str, FakeCall] = attrs.Factory(dict)
    call_ids_by_idempotency_key: dict[str, str] = attrs.Factory(dict)
    records: dict[str, dict[str, dict[str, Any]]] = attrs.Factory(dict)
    """Every other collection (contacts, pools, ...): JSON records by uuid, by name."""
    default_script: CallScript | None = CallScript()
    scripts: list[tuple[str | None, CallScript]] = attrs.Factory(list)
    """Scripts for the next calls placed, each for a number or (None) any number."""
    running: dict[str, FakeCall] = attrs.Factory(dict)
    """The calls whose script has steps still to come."""
    outbox: list[Outgoing] = attrs.Factory(list)

    def now(self) -> datetime:
        """The clock's time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.clock(), tz=timezone.utc)

    def add_agent(self, agent: FakeAgent) -> str:
        """Store `agent`, replacing one with the same uuid; return its uuid."""
        self.agents[agent.uuid] = agent
        return agent.uuid

    def add_call(
        self,
        *,
        agent_id: str,
        number: str,
        direction: str,
        status: str,
        duration: int = 0,
        created_at: datetime | None = None,
        call_id: str | None = None,
        idempotency_key: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> FakeCall:
        """Store a new call through a known agent and return it."""
        if agent_id not in self.agents:
            raise ValueError(f"unknown agent {agent_id!r}: add it with add_agent() first")
        moment = self.now() if created_at is None else created_at
        call = FakeCall(
            id=str(uuid.uuid4()) if call_id is None else call_id,
            agent_id=agent_id,
            number=number,
            direction=direction,
            status=status,
            created_at=moment,
            updated_at=moment,
            duration=duration,
            idempotency_key=idempotency_key,
            body=body,
        )
        self.calls[call.id] = call
        if idempotency_key is not None:
            self.call_ids_by_idempotency_key.setdefault(idempotency_key, call.id)
        return call

    # The call lifecycle

    def start_script(self, call: FakeCall) -> None:
        """Give a newly placed call its script: the first queued for its number, or the default."""
        script = self.default_script
        for index, (number, queued) in enumerate(self.scripts):
            if number is None or number == call.number:
                script = queued
                del self.scripts[index]
                break
        if script is None:
            return
        call.script = script
        call.steps = script.steps(self.clock())
        call.scripted_status = call.status
        self.running[call.id] = call
        self._emit(call, call.status, self.clock())

    def advance_calls(self) -> None:
        """Apply every step the clock has passed, in time order across calls."""
        if not self.running:
            return
        now = self.clock()
        # (time, call's place, step's place): steps at one instant keep their order.
        due = [
            (at, order, index, call.id, status)
            for order, call in enumerate(self.running.values())
            for index, (at, status) in enumerate(call.steps)
            if at <= now
        ]
        for at, _, _, call_id, status in sorted(due):
            call = self.running.get(call_id)
            if call is None:
                continue
            if call.status != call.scripted_status:
                # A test (or an action) set the status by hand: it drives this call now.
                self._stop(call)
                continue
            call.steps.pop(0)
            self._set_status(call, status, at)

    def end_call(self, call: FakeCall, status: str) -> None:
        """End a live call now (a hangup), dropping what its script had left."""
        self._stop(call)
        self._set_status(call, status, self.clock())

    def _stop(self, call: FakeCall) -> None:
        call.steps = []
        self.running.pop(call.id, None)

    def _set_status(self, call: FakeCall, status: str, at: float) -> None:
        moment = datetime.fromtimestamp(at, tz=timezone.utc)
        call.status = call.scripted_status = status
        call.updated_at = moment
        if status == "in-progress":
            call.answered_at = at
        if status in FINAL_STATUSES:
            if call.answered_at is not None:
                call.duration = round(at - call.answered_at)
            self._stop(call)
        if call.script is not None:
            self._emit(call, status, at)

    def _emit(self, call: FakeCall, status: str, at: float) -> None:
        hooks = [
            hook
            for hook in self.records.get(_WEBHOOKS, {}).values()
            if hook.get("agent_uuid") == call.agent_id and hook.get("is_active", True)
        ]
        if not hooks:
            return
        stamp = _timestamp(datetime.fromtimestamp(at, tz=timezone.utc))
        common = {
            "call_id": call.id,
            "conversation_uuid": call.conversation_uuid,
            "agent_id": call.agent_id,
            "session_type": "call",
            "direction": call.direction,
            "number": call.number,
            "status": status,
            "timestamp": stamp,
        }
        events: list[tuple[str, dict[str, Any]]] = [("conversation_status", common)]
        if status in FINAL_STATUSES:
            report = {
                **common,
                "duration": call.duration,
                "contact_info": {"uuid": call.contact_uuid, "phone_number": call.number},
            }
            events.append(("conversation_end_report", report))
        for event, data in events:
            for hook in hooks:
                if event in hook.get("events", ()):
                    body = {"event": event, "data": data}
                    self.outbox.append(Outgoing(url=hook["url"], event=event, body=body))

    def calls_newest_first(self) -> list[FakeCall]:
        """Every call `GET /calls` shows (those older than `call_list_lag`), newest first;
        among equal times the later added comes first."""
        calls: Iterable[FakeCall] = reversed(self.calls.values())
        if self.call_list_lag > 0:
            shown_until = self.now() - timedelta(seconds=self.call_list_lag)
            calls = [call for call in calls if call.created_at <= shown_until]
        # sorted() is stable even with reverse=True, so ties keep the reversed order.
        return sorted(calls, key=lambda c: c.created_at, reverse=True)
