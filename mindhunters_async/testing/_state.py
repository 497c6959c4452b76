"""What the fake remembers: its agents and calls, and how the API shows them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import attrs

__all__ = ["FakeAgent", "FakeCall", "FakeState"]


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

    def to_list_item(self, agent: FakeAgent) -> dict[str, Any]:
        """The call as an item of `GET /calls`; `agent` is the one that made it."""
        return {
            "uuid": self.id,
            "agent": {"name": agent.name, "uuid": agent.uuid},
            "direction": self.direction,
            "status": self.status,
            "duration": self.duration,
            "createdAt": _timestamp(self.created_at),
            "updatedAt": _timestamp(self.updated_at),
        }

    def to_json(self, agent: FakeAgent) -> dict[str, Any]:
        """The call as `GET /calls/{uuid}` shows it: a list item plus `id`."""
        return {"id": self.id, **self.to_list_item(agent)}


@attrs.define
class FakeState:
    """Agents and calls by id, in insertion order; `clock` gives seconds since the epoch.

    With `replay_idempotency_keys`, a `POST /call` whose Idempotency-Key was seen
    before answers with the call that key created instead of placing another.
    """

    clock: Callable[[], float]
    replay_idempotency_keys: bool = False
    agents: dict[str, FakeAgent] = attrs.Factory(dict)
    calls: dict[str, FakeCall] = attrs.Factory(dict)
    call_ids_by_idempotency_key: dict[str, str] = attrs.Factory(dict)
    records: dict[str, dict[str, dict[str, Any]]] = attrs.Factory(dict)
    """Every other collection (contacts, pools, ...): JSON records by uuid, by name."""

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

    def calls_newest_first(self) -> list[FakeCall]:
        """Every call, newest first; among equal times the later added comes first."""
        # sorted() is stable even with reverse=True, so ties keep the reversed order.
        return sorted(reversed(self.calls.values()), key=lambda c: c.created_at, reverse=True)
