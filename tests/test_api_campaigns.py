"""campaigns, rules and tasks: the requests they send, their decoding, and the fake."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import respx
from support import AGENT_ID, PHONE, ok

import mindhunters_async as mh
from mindhunters_async._models.campaigns import Campaign, ContactRule, Task
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

CAMPAIGN_ID = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"
RULE_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
POOL_A = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
POOL_B = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"
TASK_ID = "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70"
UNKNOWN = "00000000-0000-4000-8000-00000000dead"


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


# Campaigns, request by request ----------------------------------------------------------


async def test_update_puts_the_fields(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    answer = {"uuid": CAMPAIGN_ID, "name": "Spring", "status": "paused", "pool_uuids": [POOL_A]}
    route = api.put(f"/campaigns/{CAMPAIGN_ID}").mock(return_value=ok(answer))
    campaign = await client.campaigns.update(CAMPAIGN_ID, name="Spring", status="paused")
    assert body_of(route) == {"name": "Spring", "status": "paused"}
    assert campaign == Campaign(
        id=CAMPAIGN_ID, name="Spring", status="paused", pool_uuids=(POOL_A,)
    )


async def test_set_rule_puts_the_rule_and_reads_an_empty_answer(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    # The docs show no body for this answer: `data: {}` must still give the campaign's id.
    route = api.put(f"/campaigns/{CAMPAIGN_ID}/rule").mock(
        return_value=ok({}, message="Rule assigned")
    )
    campaign = await client.campaigns.set_rule(CAMPAIGN_ID, uuid.UUID(RULE_ID))
    assert body_of(route) == {"rule_uuid": RULE_ID}
    assert campaign == Campaign(id=CAMPAIGN_ID)


async def test_attach_pools_posts_their_ids(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    answer = {"campaign_uuid": CAMPAIGN_ID, "pool_uuids": [POOL_A, POOL_B]}
    route = api.post(f"/campaigns/{CAMPAIGN_ID}/pools").mock(return_value=ok(answer))
    campaign = await client.campaigns.attach_pools(CAMPAIGN_ID, (POOL_A, uuid.UUID(POOL_B)))
    assert body_of(route) == {"pool_uuids": [POOL_A, POOL_B]}
    assert campaign.id == CAMPAIGN_ID
    assert campaign.pool_uuids == (POOL_A, POOL_B)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.campaigns.update("42", name="x"), "campaign_id"),
        (lambda c: c.campaigns.set_rule(CAMPAIGN_ID, "rule-1"), "rule_uuid"),
        (lambda c: c.campaigns.attach_pools(CAMPAIGN_ID, [POOL_A, "pool-2"]), "pool_uuids.1"),
        (lambda c: c.campaigns.attach_pools(CAMPAIGN_ID, []), "pool_uuids"),
        (lambda c: c.campaigns.attach_pools(CAMPAIGN_ID, POOL_A), "pool_uuids"),
    ],
)
async def test_campaign_ids_are_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route(url__regex=r".*/campaigns/.*").mock(return_value=ok({}))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert not route.called


# Campaigns against the fake --------------------------------------------------------------


async def test_campaigns_against_the_fake() -> None:
    fake = FakeMindhunters()
    campaign_id = fake.add_record("campaigns", name="Winter", status="active")
    pool_a = fake.add_record("pools", name="Leads")
    pool_b = fake.add_record("pools", name="Customers")
    async with fake.client() as client:
        updated = await client.campaigns.update(campaign_id, name="Spring")
        rule = await client.rules.create(name="Weekdays only")
        with_rule = await client.campaigns.set_rule(campaign_id, rule.id)
        await client.campaigns.attach_pools(campaign_id, [pool_a])
        # Additive: attaching again keeps the first and adds the new one once.
        attached = await client.campaigns.attach_pools(campaign_id, [pool_a, pool_b])
        with pytest.raises(mh.NotFoundError):
            await client.campaigns.update(UNKNOWN, name="nobody")
        with pytest.raises(mh.NotFoundError) as missing_rule:
            await client.campaigns.set_rule(campaign_id, UNKNOWN)
        with pytest.raises(mh.NotFoundError):
            await client.campaigns.attach_pools(campaign_id, [UNKNOWN])
    assert (updated.id, updated.name, updated.status) == (campaign_id, "Spring", "active")
    assert with_rule.rule_uuid == rule.id
    assert attached.pool_uuids == (pool_a, pool_b)
    assert missing_rule.value.code == "RESOURCE_NOT_FOUND"
    stored = fake.records("campaigns")[campaign_id]
    assert stored["name"] == "Spring"
    assert stored["rule_uuid"] == rule.id
    assert stored["pool_uuids"] == [pool_a, pool_b]


# Rules, request by request -----------------------------------------------------------------

RULE = {"uuid": RULE_ID, "name": "Weekdays", "conditions": [{"field": "status", "op": "="}]}


async def test_rules_list_sends_the_paging_and_reads_a_laravel_page(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    paginator = {"current_page": 2, "data": [RULE], "last_page": 3, "per_page": 1, "total": 3}
    route = api.get("/rules").mock(return_value=ok(paginator))
    page = await client.rules.list(page=2, per_page=1)
    assert dict(route.calls.last.request.url.params) == {"page": "2", "per_page": "1"}
    assert page.items == (
        ContactRule(id=RULE_ID, name="Weekdays", conditions=[{"field": "status", "op": "="}]),
    )
    assert (page.current_page, page.last_page, page.total) == (2, 3, 3)


async def test_rules_create_get_and_update_send_their_requests(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    created = api.post("/rules").mock(return_value=ok(RULE, status=201))
    fetched = api.get(f"/rules/{RULE_ID}").mock(return_value=ok(RULE))
    updated = api.put(f"/rules/{RULE_ID}").mock(return_value=ok({**RULE, "name": "Weekends"}))
    rule = await client.rules.create(name="Weekdays", conditions=[])
    got = await client.rules.get(RULE_ID)
    changed = await client.rules.update(RULE_ID, name="Weekends")
    assert body_of(created) == {"name": "Weekdays", "conditions": []}
    assert fetched.calls.last.request.content == b""
    assert body_of(updated) == {"name": "Weekends"}
    assert rule.id == got.id == changed.id == RULE_ID
    assert changed.name == "Weekends"


@pytest.mark.parametrize(
    "call",
    [lambda c: c.rules.get("7"), lambda c: c.rules.update("rule 7", name="x")],
)
async def test_a_bad_rule_id_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any
) -> None:
    route = api.route(url__regex=r".*/rules.*").mock(return_value=ok(RULE))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == "rule_id"
    assert not route.called


async def test_rules_against_the_fake() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        rule = await client.rules.create(name="Weekdays", settings={"max_attempts": 3})
        changed = await client.rules.update(rule.id, name="Weekends", settings={})
        got = await client.rules.get(rule.id)
        page = await client.rules.list()
        with pytest.raises(mh.UnprocessableEntityError) as unnamed:
            await client.rules.create(settings={})
        with pytest.raises(mh.NotFoundError):
            await client.rules.get(UNKNOWN)
    assert rule.settings == {"max_attempts": 3}
    assert changed == got
    assert (got.id, got.name, got.settings) == (rule.id, "Weekends", {})
    assert [r.id for r in page.items] == [rule.id]
    assert unnamed.value.field == "name"


async def test_rules_walk_three_pages() -> None:
    fake = FakeMindhunters()
    names = [f"rule {n}" for n in range(7)]
    for name in names:
        fake.add_record("rules", name=name)
    async with fake.client() as client:
        seen = [rule.name async for rule in client.rules.list(per_page=3)]
    assert seen == names[::-1]  # newest first
    requests = fake.requests_to("GET", "/rules")
    assert [r.query["page"] for r in requests] == ["1", "2", "3"]


# Tasks, request by request -----------------------------------------------------------------

TASK = {"uuid": TASK_ID, "title": "Call back", "type": "call", "status": "pending"}


async def test_tasks_list_sends_its_filters(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/tasks").mock(return_value=ok({"current_page": 1, "data": [TASK]}))
    page = await client.tasks.list(
        per_page=100, status="pending", type="call", agent_uuid=uuid.UUID(AGENT_ID)
    )
    assert dict(route.calls.last.request.url.params) == {
        "status": "pending",
        "type": "call",
        "agent_uuid": AGENT_ID,
        "page": "1",
        "per_page": "100",
    }
    assert page.items == (Task(id=TASK_ID, title="Call back", type="call", status="pending"),)


async def test_tasks_create_sends_the_published_clients_body(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/tasks").mock(return_value=ok(TASK, status=201))
    when = datetime(2026, 3, 2, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    task = await client.tasks.create(
        title="Call back",
        type="call",
        contact={"phone_number": PHONE},
        agent_uuid=AGENT_ID,
        scheduled_at=when,
        auto_queue=False,
        priority="high",
    )
    assert body_of(route) == {
        "title": "Call back",
        "type": "call",
        "agent_uuid": AGENT_ID,
        "contact": {"phone_number": PHONE},
        "scheduled_at": "2026-03-02T09:30:00+02:00",
        "auto_queue": False,
        "priority": "high",
    }
    assert task.id == TASK_ID


@pytest.mark.parametrize("action", ["cancel", "queue", "retry"])
async def test_task_control_posts_to_its_path(
    api: respx.MockRouter, client: mh.AsyncMindhunters, action: str
) -> None:
    # Whatever `data` holds, the task's id is the one in the path unless the server says.
    route = api.post(f"/tasks/{TASK_ID}/{action}").mock(return_value=ok({"status": "x"}))
    task = await getattr(client.tasks, action)(TASK_ID)
    assert body_of(route) == {}
    assert task == Task(id=TASK_ID, status="x")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.tasks.create(type="call", agent_uuid="agent-7"), "agent_uuid"),
        (
            lambda c: c.tasks.create(type="call", contact={"phone_number": "0412 555 267"}),
            "contact.phone_number",
        ),
        (
            lambda c: c.tasks.create(type="call", scheduled_at=datetime(2026, 3, 2, 9, 30)),
            "scheduled_at",
        ),
        (lambda c: c.tasks.cancel("task-7"), "task_id"),
        (lambda c: c.tasks.retry(TASK_ID[:-1]), "task_id"),
        (lambda c: c.tasks.list(per_page=101), "per_page"),
        (lambda c: c.tasks.list(agent_uuid="7"), "agent_uuid"),
    ],
)
async def test_bad_task_input_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route(url__regex=r".*/tasks.*").mock(return_value=ok(TASK))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert not route.called


async def test_a_naive_scheduled_at_says_how_to_fix_it(client: mh.AsyncMindhunters) -> None:
    with pytest.raises(mh.RequestValidationError, match=r"datetime\.now\(timezone\.utc\)"):
        await client.tasks.create(type="call", scheduled_at=datetime(2026, 3, 2, 9, 30))


# Tasks against the fake --------------------------------------------------------------------


async def test_tasks_move_through_their_states_against_the_fake() -> None:
    fake = FakeMindhunters()
    contact = {"phone_number": PHONE}
    async with fake.client() as client:
        task = await client.tasks.create(
            title="Call back", type="call", agent_uuid=fake.DEFAULT_AGENT_ID, contact=contact
        )
        queued_at_once = await client.tasks.create(type="message", auto_queue=True)
        queued = await client.tasks.queue(task.id)
        cancelled = await client.tasks.cancel(task.id)
        retried = await client.tasks.retry(task.id)
        pending = await client.tasks.list(status="pending")
    assert task.status == "pending"
    assert task.contact == contact
    assert task.agent_uuid == fake.DEFAULT_AGENT_ID
    assert queued_at_once.status == "queued"
    assert (queued.status, cancelled.status, retried.status) == ("queued", "cancelled", "pending")
    assert retried.attempts == 1
    assert [t.id for t in pending.items] == [task.id]
    assert fake.records("tasks")[task.id]["status"] == "pending"


async def test_a_completed_task_cannot_be_cancelled() -> None:
    fake = FakeMindhunters()
    done = fake.add_record("tasks", type="call", status="completed")
    async with fake.client() as client:
        with pytest.raises(mh.ConflictError) as info:
            await client.tasks.cancel(done)
        with pytest.raises(mh.NotFoundError):
            await client.tasks.cancel(UNKNOWN)
    assert info.value.status_code == 409
    assert fake.records("tasks")[done]["status"] == "completed"


async def test_the_fake_checks_a_task_like_the_server() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        with pytest.raises(mh.UnprocessableEntityError) as untyped:
            await client.tasks.create(title="no type")
        with pytest.raises(mh.NotFoundError):
            await client.tasks.create(type="call", agent_uuid=UNKNOWN)
    assert untyped.value.field == "type"
    assert fake.records("tasks") == {}


async def test_tasks_walk_three_pages() -> None:
    fake = FakeMindhunters()
    for n in range(5):
        fake.add_record("tasks", title=f"task {n}", type="call", status="pending")
    async with fake.client() as client:
        titles = [task.title async for task in client.tasks.list(per_page=2)]
    assert titles == [f"task {n}" for n in reversed(range(5))]
    assert len(fake.requests_to("GET", "/tasks")) == 3


# Raw responses and extras ------------------------------------------------------------------


async def test_with_raw_response_on_a_task_control() -> None:
    fake = FakeMindhunters()
    task_id = fake.add_record("tasks", type="call", status="failed")
    async with fake.client() as client:
        raw = await client.tasks.with_raw_response.retry(task_id)
    assert raw.status_code == 200
    assert raw.parse().status == "pending"
    assert raw.rate_limit == mh.RateLimitInfo(limit=1000, remaining=999, reset=None)


async def test_extras_reach_the_wire(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.put(f"/campaigns/{CAMPAIGN_ID}/rule").mock(return_value=ok({}))
    await client.campaigns.set_rule(
        CAMPAIGN_ID,
        RULE_ID,
        extra_query={"notify": "0"},
        extra_body={"rule_id": RULE_ID},
        extra_headers={"X-Trace": "t-1"},
    )
    request = route.calls.last.request
    assert request.url.params["notify"] == "0"
    assert json.loads(request.content) == {"rule_uuid": RULE_ID, "rule_id": RULE_ID}
    assert request.headers["x-trace"] == "t-1"
