"""client.campaigns, client.rules and client.tasks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from .._converter import decoder
from .._exceptions import ErrorCode, RequestValidationError
from .._models.campaigns import Campaign, ContactRule, Task
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import validate_e164, validate_uuid
from .._validators import wire_id as _text_id
from ._base import Resource, paging_rules, uuid_path, with_id
from ._base import fields as body_fields
from .analytics import aware_iso

__all__ = ["Campaigns", "Rules", "Tasks"]

T = TypeVar("T")


def _uuids(value: Any, field: str) -> None:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f"{field} must be a non-empty list of UUIDs"
        )
    for index, item in enumerate(value):
        validate_uuid(item, f"{field}.{index}")


CAMPAIGN_UPDATE = Endpoint(
    "campaigns.update", "PUT", "/campaigns/{campaign_id}", rules=uuid_path("campaign_id")
)
CAMPAIGN_SET_RULE = Endpoint(
    "campaigns.set_rule",
    "PUT",
    "/campaigns/{campaign_id}/rule",
    rules=(*uuid_path("campaign_id"), Rule("rule_uuid", validate_uuid)),
)
# Inferred: the page exists, its path was not visible.
CAMPAIGN_ATTACH_POOLS = Endpoint(
    "campaigns.attach_pools",
    "POST",
    "/campaigns/{campaign_id}/pools",
    rules=(*uuid_path("campaign_id"), Rule("pool_uuids", _uuids)),
    source="inferred",
)

RULES_LIST = Endpoint("rules.list", "GET", "/rules", rules=paging_rules(100))
RULES_CREATE = Endpoint("rules.create", "POST", "/rules")
RULES_GET = Endpoint("rules.get", "GET", "/rules/{rule_id}", rules=uuid_path("rule_id"))
RULES_UPDATE = Endpoint("rules.update", "PUT", "/rules/{rule_id}", rules=uuid_path("rule_id"))

TASKS_LIST = Endpoint(
    "tasks.list",
    "GET",
    "/tasks",
    rules=paging_rules(100, Rule("agent_uuid", validate_uuid, "params", required=False)),
)
TASKS_CREATE = Endpoint(
    "tasks.create",
    "POST",
    "/tasks",
    rules=(
        Rule("agent_uuid", validate_uuid, required=False),
        Rule("contact.phone_number", validate_e164, required=False),
    ),
)
# Paths from the older docs.
TASKS_CANCEL = Endpoint("tasks.cancel", "POST", "/tasks/{task_id}/cancel", uuid_path("task_id"))
TASKS_QUEUE = Endpoint("tasks.queue", "POST", "/tasks/{task_id}/queue", uuid_path("task_id"))
TASKS_RETRY = Endpoint("tasks.retry", "POST", "/tasks/{task_id}/retry", uuid_path("task_id"))

_rule = decoder(ContactRule)
_task = decoder(Task)


class Campaigns(Resource):
    """Campaigns: `update` one, `set_rule` to assign its contact rule, `attach_pools`
    to add pools of contacts to it. The API documents no list or create for them:
    campaigns are made in the dashboard."""

    __slots__ = ()

    async def update(
        self,
        campaign_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Campaign:
        """Update the campaign `campaign_id` (a UUID) with the given fields, sent as
        given (`name="Spring"`, `status="paused"`, ...); `NotFoundError` when there is
        no such campaign."""
        result: Campaign = await self._send(
            CAMPAIGN_UPDATE,
            with_id(Campaign, campaign_id),
            path={"campaign_id": campaign_id},
            json=dict(fields),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def set_rule(
        self,
        campaign_id: str | Any,
        rule_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Campaign:
        """Assign the contact rule `rule_id` to the campaign, replacing its rule (both
        UUIDs, checked before sending). Sent as `{"rule_uuid": ...}`: the docs do not
        show the body's field name; `extra_body` can add another spelling."""
        result: Campaign = await self._send(
            CAMPAIGN_SET_RULE,
            with_id(Campaign, campaign_id),
            path={"campaign_id": campaign_id},
            json={"rule_uuid": _text_id(rule_id)},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def attach_pools(
        self,
        campaign_id: str | Any,
        pool_ids: Iterable[str | Any],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Campaign:
        """Attach pools to the campaign, keeping those already attached (inferred
        path). `pool_ids` are UUIDs, checked before sending, sent as `pool_uuids`."""
        if isinstance(pool_ids, str):
            # Iterating it would send its characters, one "id" each.
            raise RequestValidationError(
                "pool_uuids",
                ErrorCode.VALIDATION_ERROR,
                "pool_ids must be a list of UUIDs, not one string: pass [pool_id]",
            )
        ids = [_text_id(pool_id) for pool_id in pool_ids]
        result: Campaign = await self._send(
            CAMPAIGN_ATTACH_POOLS,
            with_id(Campaign, campaign_id),
            path={"campaign_id": campaign_id},
            json={"pool_uuids": ids},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


class Rules(Resource):
    """Contact rules (`ContactRule`): `list`, `create`, `get`, `update`. A campaign
    takes one with `client.campaigns.set_rule`."""

    __slots__ = ()

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[ContactRule]:
        """The contact rules: `await` for one `Page`, `async for` for every rule.
        `per_page` is at most 100 (the server's default is 15)."""
        return self._pager(
            RULES_LIST,
            ContactRule,
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def create(
        self,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> ContactRule:
        """Create a contact rule from the given fields, sent as given (`name=...`,
        and the rule's settings as the dashboard names them)."""
        result: ContactRule = await self._send(
            RULES_CREATE,
            _rule,
            json=dict(fields),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def get(
        self,
        rule_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> ContactRule:
        """The contact rule `rule_id` (a UUID); `NotFoundError` when there is none."""
        result: ContactRule = await self._send(
            RULES_GET,
            _rule,
            path={"rule_id": rule_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result

    async def update(
        self,
        rule_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> ContactRule:
        """Update the contact rule `rule_id` (a UUID) with the given fields (a PUT:
        send what the rule should be)."""
        result: ContactRule = await self._send(
            RULES_UPDATE,
            with_id(ContactRule, rule_id),
            path={"rule_id": rule_id},
            json=dict(fields),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


class Tasks(Resource):
    """Tasks (`Task`): calls or messages for an agent to make. `list`, `create`, and
    `cancel`, `queue`, `retry` to move one along."""

    __slots__ = ()

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        status: str | None = None,
        type: str | None = None,
        agent_uuid: str | Any | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[Task]:
        """Tasks, filtered by `status`, `type` or `agent_uuid` (a UUID, checked before
        sending): `await` for one `Page`, `async for` for every task. `per_page` is at
        most 100. Other filters go in `extra_query`."""
        return self._pager(
            TASKS_LIST,
            Task,
            params={"status": status, "type": type, "agent_uuid": agent_uuid},
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def create(
        self,
        *,
        title: str | None = None,
        type: str | None = None,
        agent_uuid: str | Any | None = None,
        contact: Mapping[str, Any] | None = None,
        scheduled_at: datetime | None = None,
        auto_queue: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Task:
        """Create a task: `type` "call" or "message" (the values a published client
        sends; the docs also name task kinds such as make_call), for the agent
        `agent_uuid` (a UUID), to `contact` (`{"phone_number": "+14155552671"}`, the
        number checked as E.164 before sending), at `scheduled_at` (an aware
        datetime, sent as ISO-8601 with its offset; a naive one is refused), queued
        at once when `auto_queue`. Other keyword arguments go into the body as given.
        """
        body = body_fields(
            title=title,
            type=type,
            agent_uuid=_text_id(agent_uuid),
            contact=dict(contact) if contact is not None else None,
            scheduled_at=None if scheduled_at is None else aware_iso(scheduled_at, "scheduled_at"),
            auto_queue=auto_queue,
        )
        body.update(fields)
        result: Task = await self._send(
            TASKS_CREATE,
            _task,
            json=body,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def cancel(
        self,
        task_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Task:
        """Cancel the task `task_id` (a UUID). A task that has already completed
        cannot be cancelled: the API answers with an error (`ConflictError` from the
        fake; the real API's status is not documented)."""
        return await self._control(TASKS_CANCEL, task_id, extra_headers, extra_query, extra_body)

    async def queue(
        self,
        task_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Task:
        """Queue the task `task_id` (a UUID) for the agent to make now."""
        return await self._control(TASKS_QUEUE, task_id, extra_headers, extra_query, extra_body)

    async def retry(
        self,
        task_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Task:
        """Try the task `task_id` (a UUID) again: it goes back to pending."""
        return await self._control(TASKS_RETRY, task_id, extra_headers, extra_query, extra_body)

    async def _control(
        self,
        endpoint: Endpoint,
        task_id: Any,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, Any] | None,
        extra_body: Mapping[str, Any] | None,
    ) -> Task:
        result: Task = await self._send(
            endpoint,
            with_id(Task, task_id),
            path={"task_id": task_id},
            json={},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result
