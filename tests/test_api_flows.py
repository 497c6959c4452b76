"""Flows (`client.flows`) and their steps (`client.flows.steps`): the requests they send,
their decoding, the 409 of editing a deployed flow, and the fake."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
import respx
from support import AGENT_ID, api_error, ok

import mindhunters_async as mh
from mindhunters_async._models.flows import Flow, FlowStep, FlowStepTest, FlowTestSample
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

FLOW_ID = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"
STEP_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
TRIGGER_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
CONNECTION_ID = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"
UNKNOWN = "00000000-0000-4000-8000-00000000dead"
STEP = {
    "uuid": STEP_ID,
    "position": 2,
    "kind": "action",
    "status": "draft",
    "app": {"uid": "slack", "name": "Slack"},
    "action": {"key": "post_message", "name": "Post a message"},
    "config": {"text": "{{step1.caller}}"},
}
FLOW = {
    "uuid": FLOW_ID,
    "name": "Follow-up",
    "status": "deployed",
    "steps": [{"uuid": TRIGGER_ID, "position": 1, "kind": "trigger"}, STEP],
}
HINT = "undeploy the flow first: client.flows.undeploy(flow_id)"


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


def step_answer(data: Any, status: int = 200) -> httpx.Response:
    # Step writes answer `{data: <step>}`, without `success`.
    return httpx.Response(status, json={"data": data})


# Flows, request by request -------------------------------------------------------------------


@pytest.mark.parametrize(("action", "status"), [("deploy", "deployed"), ("undeploy", "draft")])
async def test_deploy_and_undeploy_post_to_their_paths(
    api: respx.MockRouter, client: mh.AsyncMindhunters, action: str, status: str
) -> None:
    route = api.post(f"/flow/{FLOW_ID}/{action}").mock(
        return_value=ok({**FLOW, "status": status}, message=f"Flow {action}ed")
    )
    flow = await getattr(client.flows, action)(uuid.UUID(FLOW_ID))
    assert body_of(route) == {}
    assert (flow.id, flow.name, flow.status) == (FLOW_ID, "Follow-up", status)
    assert flow.steps is not None
    assert [step.id for step in flow.steps] == [TRIGGER_ID, STEP_ID]
    assert flow.steps[1] == FlowStep(
        id=STEP_ID,
        position=2,
        kind="action",
        status="draft",
        app={"uid": "slack", "name": "Slack"},
        action={"key": "post_message", "name": "Post a message"},
        config={"text": "{{step1.caller}}"},
    )


# Steps, request by request -------------------------------------------------------------------


async def test_steps_create_posts_the_step(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post(f"/flow/{FLOW_ID}/steps").mock(return_value=step_answer(STEP, 201))
    step = await client.flows.steps.create(
        FLOW_ID,
        kind="action",
        app_uid="slack",
        action_key="post_message",
        app_connection_uuid=uuid.UUID(CONNECTION_ID),
        agent_uuid=AGENT_ID,
        config={"text": "{{step1.caller}}"},
        parent_step_uuid=TRIGGER_ID,
        branch_key=True,
    )
    assert body_of(route) == {
        "kind": "action",
        "app_uid": "slack",
        "action_key": "post_message",
        "app_connection_uuid": CONNECTION_ID,
        "agent_uuid": AGENT_ID,
        "config": {"text": "{{step1.caller}}"},
        "parent_step_uuid": TRIGGER_ID,
        "branch_key": "true",
    }
    assert (step.id, step.position, step.kind) == (STEP_ID, 2, "action")


@pytest.mark.parametrize("step", [STEP_ID, uuid.UUID(STEP_ID), 2, "send_slack.v2"])
async def test_steps_update_patches_the_step_named_by_uuid_key_or_position(
    api: respx.MockRouter, client: mh.AsyncMindhunters, step: Any
) -> None:
    route = api.patch(f"/flow/{FLOW_ID}/steps/{step}").mock(
        return_value=step_answer({**STEP, "config": {"text": "hi"}})
    )
    updated = await client.flows.steps.update(FLOW_ID, step, config={"text": "hi"})
    assert body_of(route) == {"config": {"text": "hi"}}
    assert updated.config == {"text": "hi"}
    assert route.calls.last.request.url.path == f"/api/v1/flow/{FLOW_ID}/steps/{step}"


async def test_steps_test_posts_the_options_and_reads_the_samples(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    result = {
        "kind": "trigger",
        "dry_run": False,
        "data": {"caller": "+14155552671"},
        "duration_ms": 42,
        "selected": {"sample_uuid": "call-9"},
        "samples": [
            {"sample_uuid": "call-9", "label": "Call at 10:00", "timestamp": "2026-01-02T10:00:00Z"}
        ],
    }
    route = api.post(f"/flow/{FLOW_ID}/steps/1/test").mock(return_value=ok(result))
    tested = await client.flows.steps.test(
        FLOW_ID, 1, persist=False, sample_uuid="call-9", limit=50, dry_run=True
    )
    assert body_of(route) == {
        "persist": False,
        "sample_uuid": "call-9",
        "limit": 50,
        "dry_run": True,
    }
    assert tested.kind == "trigger"
    assert tested.data == {"caller": "+14155552671"}
    assert tested.duration_ms == 42
    assert tested.samples is not None
    (sample,) = tested.samples
    assert sample.id == "call-9"
    assert sample.label == "Call at 10:00"
    assert sample.timestamp is not None
    assert sample.timestamp.hour == 10
    assert tested == FlowStepTest(
        kind="trigger",
        dry_run=False,
        data={"caller": "+14155552671"},
        duration_ms=42,
        selected={"sample_uuid": "call-9"},
        samples=(sample,),
    )
    assert isinstance(sample, FlowTestSample)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s: s.create("flow-1", kind="trigger", app_uid="calls"), "flow_id"),
        (lambda s: s.create(FLOW_ID, kind="trig", app_uid="calls"), "kind"),
        (lambda s: s.create(FLOW_ID, kind="action", app_uid=" "), "app_uid"),
        (
            lambda s: s.create(FLOW_ID, kind="action", app_uid="x", agent_uuid="agent-1"),
            "agent_uuid",
        ),
        (
            lambda s: s.create(FLOW_ID, kind="action", app_uid="x", branch_key="maybe"),
            "branch_key",
        ),
        (
            lambda s: s.create(FLOW_ID, kind="action", app_uid="x", insert_after_step_uuid="2"),
            "insert_after_step_uuid",
        ),
        (lambda s: s.update(FLOW_ID, "../deploy", config={}), "step"),
        (lambda s: s.update(FLOW_ID, "a/b", config={}), "step"),
        (lambda s: s.update(FLOW_ID, ".hidden", config={}), "step"),
        (lambda s: s.update(FLOW_ID, "", config={}), "step"),
        (lambda s: s.update(FLOW_ID, 0, config={}), "step"),
        (lambda s: s.update(FLOW_ID, True, config={}), "step"),
        (lambda s: s.update(FLOW_ID, "step 2", config={}), "step"),
        (lambda s: s.update(FLOW_ID, 2, app_connection_uuid="conn"), "app_connection_uuid"),
        (lambda s: s.test(FLOW_ID, "x" * 129), "step"),
        (lambda s: s.test(FLOW_ID, 1, limit=51), "limit"),
        (lambda s: s.test(FLOW_ID, 1, limit=0), "limit"),
        (lambda s: s.test("1", 1), "flow_id"),
    ],
)
async def test_step_input_is_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route(url__regex=r".*/flow/.*").mock(return_value=step_answer(STEP))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client.flows.steps)
    assert info.value.field == field
    assert not route.called


@pytest.mark.parametrize("action", ["deploy", "undeploy"])
async def test_a_bad_flow_id_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, action: str
) -> None:
    route = api.route(url__regex=r".*/flow/.*").mock(return_value=ok(FLOW))
    with pytest.raises(mh.RequestValidationError) as info:
        await getattr(client.flows, action)("../agents")
    assert info.value.field == "flow_id"
    assert not route.called


# Editing a deployed flow: 409 -----------------------------------------------------------------

EDITS = [
    ("POST", f"/flow/{FLOW_ID}/steps", lambda s: s.create(FLOW_ID, kind="action", app_uid="x")),
    ("PATCH", f"/flow/{FLOW_ID}/steps/2", lambda s: s.update(FLOW_ID, 2, config={})),
]


@pytest.mark.parametrize(("method", "path", "call"), EDITS)
async def test_a_409_on_a_step_edit_says_to_undeploy_keeping_the_servers_message(
    api: respx.MockRouter, client: mh.AsyncMindhunters, method: str, path: str, call: Any
) -> None:
    conflict = api_error(409, "FLOW_IS_LIVE", "Flow status: deployed", message="Flow is live")
    api.route(method=method, path=path).mock(return_value=conflict.response())
    with pytest.raises(mh.ConflictError) as info:
        await call(client.flows.steps)
    error = info.value
    assert error.message == f"Flow is live ({HINT})"
    assert error.code == "FLOW_IS_LIVE"
    assert error.details == "Flow status: deployed"
    assert "Flow is live" in str(error)
    assert HINT in str(error)


@pytest.mark.parametrize(("method", "path", "call"), EDITS)
async def test_a_409_that_already_says_undeploy_is_left_as_the_server_wrote_it(
    api: respx.MockRouter, client: mh.AsyncMindhunters, method: str, path: str, call: Any
) -> None:
    message = "Cannot edit a deployed flow. UNDEPLOY it first."
    conflict = api_error(409, "FLOW_DEPLOYED", message=message)
    api.route(method=method, path=path).mock(return_value=conflict.response())
    with pytest.raises(mh.ConflictError) as info:
        await call(client.flows.steps)
    assert info.value.message == message


async def test_a_409_without_a_body_still_says_to_undeploy(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.post(f"/flow/{FLOW_ID}/steps").mock(return_value=httpx.Response(409))
    with pytest.raises(mh.ConflictError) as info:
        await client.flows.steps.create(FLOW_ID, kind="trigger", app_uid="calls")
    assert info.value.message.endswith(f"({HINT})")


async def test_the_hint_is_only_for_a_409_of_a_step_edit(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    unprocessable = api_error(422, "VALIDATION_ERROR", message="Flow is deployed")
    conflict = api_error(409, "FLOW_BUSY", message="Flow is busy")
    api.post(f"/flow/{FLOW_ID}/steps").mock(return_value=unprocessable.response())
    api.post(f"/flow/{FLOW_ID}/steps/1/test").mock(return_value=conflict.response())
    api.post(f"/flow/{FLOW_ID}/deploy").mock(return_value=conflict.response())
    with pytest.raises(mh.UnprocessableEntityError) as other_status:
        await client.flows.steps.create(FLOW_ID, kind="trigger", app_uid="calls")
    with pytest.raises(mh.ConflictError) as test_conflict:
        await client.flows.steps.test(FLOW_ID, 1)
    with pytest.raises(mh.ConflictError) as deploy_conflict:
        await client.flows.deploy(FLOW_ID)
    assert other_status.value.message == "Flow is deployed"
    assert test_conflict.value.message == "Flow is busy"
    assert deploy_conflict.value.message == "Flow is busy"


# Against the fake ------------------------------------------------------------------------------


async def test_flows_against_the_fake() -> None:
    fake = FakeMindhunters()
    agent = fake.add_agent("Ava")
    flow_id = fake.add_record("flows", name="Follow-up", status="draft")
    async with fake.client() as client:
        steps = client.flows.steps
        trigger = await steps.create(
            flow_id, kind="trigger", app_uid="calls", trigger_key="call_ended"
        )
        action = await steps.create(
            flow_id,
            kind="action",
            app_uid="agents",
            action_key="make_call",
            agent_uuid=agent,
            config={"to": "{{step1.caller}}"},
        )
        changed = await steps.update(flow_id, action.id, config={"to": "+14155552671"})
        with pytest.raises(mh.UnprocessableEntityError) as early:
            await client.flows.deploy(flow_id)  # the steps are untested
        sampled = await steps.test(flow_id, 1, data={"caller": "+14155552671"})
        dry = await steps.test(flow_id, action.id, config_override={"note": "test"})
        deployed = await client.flows.deploy(flow_id)
        with pytest.raises(mh.ConflictError) as conflict:
            await steps.update(flow_id, 2, config={})
        with pytest.raises(mh.ConflictError):
            await steps.create(flow_id, kind="action", app_uid="x", action_key="y")
        undeployed = await client.flows.undeploy(flow_id)
        edited = await steps.update(flow_id, 2, config={"to": "+14155550100"})
    assert (trigger.position, trigger.kind, trigger.status) == (1, "trigger", "draft")
    assert trigger.trigger == {"key": "call_ended"}
    assert action.position == 2
    assert action.agent == {"uuid": agent, "name": "Ava"}
    assert changed.config == {"to": "+14155552671"}
    assert early.value.field == "steps"
    assert sampled.data == {"caller": "+14155552671"}
    assert (dry.kind, dry.dry_run) == ("action", True)
    assert dry.resolved == {"to": "+14155552671", "note": "test"}
    assert deployed.status == "deployed"
    assert deployed.steps is not None
    assert [(s.id, s.status) for s in deployed.steps] == [
        (trigger.id, "active"),
        (action.id, "active"),
    ]
    assert deployed.steps[0].last_test == {"data": {"caller": "+14155552671"}}
    assert "undeploy" in conflict.value.message.lower()
    assert conflict.value.code == "FLOW_DEPLOYED"
    assert undeployed.status == "draft"
    assert edited.config == {"to": "+14155550100"}
    assert fake.records("flows")[flow_id]["status"] == "draft"


async def test_the_fakes_step_rules_and_misses() -> None:
    fake = FakeMindhunters()
    flow_id = fake.add_record("flows", name="Empty", status="draft")
    async with fake.client() as client:
        steps = client.flows.steps
        with pytest.raises(mh.UnprocessableEntityError) as no_trigger:
            await steps.create(flow_id, kind="action", app_uid="slack", action_key="post")
        with pytest.raises(mh.UnprocessableEntityError) as no_key:
            await steps.create(flow_id, kind="trigger", app_uid="calls")
        await steps.create(flow_id, kind="trigger", app_uid="calls", trigger_key="call_ended")
        with pytest.raises(mh.UnprocessableEntityError) as second_trigger:
            await steps.create(flow_id, kind="trigger", app_uid="calls", trigger_key="x")
        with pytest.raises(mh.NotFoundError) as no_sample:
            await steps.test(flow_id, 1)
        with pytest.raises(mh.NotFoundError):
            await steps.update(flow_id, 7, config={})
        with pytest.raises(mh.NotFoundError):
            await steps.update(UNKNOWN, 1, config={})
        with pytest.raises(mh.NotFoundError):
            await client.flows.undeploy(UNKNOWN)
        # persist=False tests without activating the step.
        await steps.test(flow_id, 1, data={"caller": "x"}, persist=False)
        with pytest.raises(mh.UnprocessableEntityError):
            await client.flows.deploy(flow_id)
    assert no_trigger.value.field == "kind"
    assert no_key.value.field == "trigger_key"
    assert second_trigger.value.field == "kind"
    assert no_sample.value.body["data"] == {"samples": []}
    (stored,) = fake.records("flow_steps").values()
    assert (stored["status"], stored["last_test"]) == ("draft", None)


async def test_a_step_inserted_mid_chain_shifts_the_later_ones() -> None:
    fake = FakeMindhunters()
    flow_id = fake.add_record("flows", name="Chain", status="draft")
    async with fake.client() as client:
        steps = client.flows.steps
        trigger = await steps.create(flow_id, kind="trigger", app_uid="calls", trigger_key="t")
        last = await steps.create(flow_id, kind="action", app_uid="slack", action_key="post")
        middle = await steps.create(
            flow_id,
            kind="action",
            app_uid="mail",
            action_key="send",
            insert_after_step_uuid=trigger.id,
        )
        flow = await client.flows.undeploy(flow_id)
    assert flow.steps is not None
    assert [(s.id, s.position) for s in flow.steps] == [
        (trigger.id, 1),
        (middle.id, 2),
        (last.id, 3),
    ]


async def test_flows_with_raw_response() -> None:
    fake = FakeMindhunters()
    flow_id = fake.add_record("flows", name="Raw", status="deployed")
    async with fake.client() as client:
        raw = await client.flows.with_raw_response.undeploy(flow_id)
        step_raw = await client.flows.steps.with_raw_response.create(
            flow_id, kind="trigger", app_uid="calls", trigger_key="t"
        )
    assert raw.status_code == 200
    assert raw.parse() == Flow(
        id=flow_id,
        name="Raw",
        status="draft",
        steps=(),
        created_at=raw.parse().created_at,
        updated_at=raw.parse().updated_at,
    )
    assert step_raw.status_code == 201
    assert isinstance(step_raw.parse(), FlowStep)
