"""agents.notes, .guidelines, .procedures, .training, .guard_rules, .routing_rules:
request by request (respx), validation before sending, and against the fake."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import attrs
import pytest
import respx
from support import AGENT_ID

import mindhunters_async as mh
from mindhunters_async._exceptions import ErrorCode
from mindhunters_async._models.agents import Agent
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

ITEM_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
BASE = f"/agents/{AGENT_ID}"
# What the section writes answer: the whole agent under `data`, without `success`.
AGENT = {
    "uuid": AGENT_ID,
    "name": "Sales",
    "notes": [{"uuid": ITEM_ID, "content": "Be brief"}],
    "guard_rules": [{"uuid": ITEM_ID, "name": "No prices"}],
}
DECODED = Agent(
    id=AGENT_ID,
    name="Sales",
    notes=[{"uuid": ITEM_ID, "content": "Be brief"}],
    guard_rules=[{"uuid": ITEM_ID, "name": "No prices"}],
)


@attrs.frozen
class Case:
    """One operation: how the SDK is called, and what must go on the wire."""

    name: str  # the attribute path below client.agents, "notes.create"
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    method: str
    path: str
    body: Any  # None: no body at all

    def call(self, client: mh.AsyncMindhunters, *args: Any, **kwargs: Any) -> Any:
        section, method = self.name.split(".")
        operation = getattr(getattr(client.agents, section), method)
        return operation(*(args or self.args), **{**self.kwargs, **kwargs})


CASES = [
    Case(
        "notes.create",
        (AGENT_ID,),
        {"content": "Be brief", "title": "Tone", "pinned": True},
        "POST",
        f"{BASE}/notes",
        {"content": "Be brief", "title": "Tone", "pinned": True},
    ),
    Case("notes.delete", (AGENT_ID, ITEM_ID), {}, "DELETE", f"{BASE}/notes/{ITEM_ID}", None),
    Case(
        "guidelines.create",
        (AGENT_ID,),
        {"content": "Greet by name"},
        "POST",
        f"{BASE}/guidelines",
        {"content": "Greet by name"},
    ),
    Case(
        "guidelines.replace",
        # A tuple of items goes on the wire as a list.
        (AGENT_ID, ({"content": "one"}, {"uuid": ITEM_ID, "content": "two"})),
        {},
        "PUT",
        f"{BASE}/guidelines",
        {"guidelines": [{"content": "one"}, {"uuid": ITEM_ID, "content": "two"}]},
    ),
    Case(
        "guidelines.delete",
        (AGENT_ID, ITEM_ID),
        {},
        "DELETE",
        f"{BASE}/guidelines/{ITEM_ID}",
        None,
    ),
    Case(
        "procedures.create",
        (AGENT_ID,),
        {"name": "Refund", "description": "Money back", "steps": ("Ask", {"text": "Check"})},
        "POST",
        f"{BASE}/procedures",
        {"name": "Refund", "description": "Money back", "steps": ["Ask", {"text": "Check"}]},
    ),
    Case(
        "procedures.update",
        (AGENT_ID, ITEM_ID),
        {"steps": ["Only step"], "priority": 2},
        "PATCH",
        f"{BASE}/procedures/{ITEM_ID}",
        {"steps": ["Only step"], "priority": 2},
    ),
    Case(
        "procedures.delete",
        (AGENT_ID, ITEM_ID),
        {},
        "DELETE",
        f"{BASE}/procedures/{ITEM_ID}",
        None,
    ),
    Case(
        "training.create",
        (AGENT_ID,),
        {"question": "Hours?", "answer": "9 to 5"},
        "POST",
        f"{BASE}/training",
        {"question": "Hours?", "answer": "9 to 5"},
    ),
    Case(
        "training.replace",
        (AGENT_ID, [{"content": "We sell shoes"}]),
        {},
        "PUT",
        f"{BASE}/training",
        {"training": [{"content": "We sell shoes"}]},
    ),
    Case(
        "training.update",
        (AGENT_ID, ITEM_ID),
        {"answer": "10 to 6"},
        "PATCH",
        f"{BASE}/training/{ITEM_ID}",
        {"answer": "10 to 6"},
    ),
    Case("training.delete", (AGENT_ID, ITEM_ID), {}, "DELETE", f"{BASE}/training/{ITEM_ID}", None),
    Case(
        "guard_rules.create",
        (AGENT_ID,),
        {"name": "No prices", "condition": "asked for a price", "action": "decline"},
        "POST",
        f"{BASE}/guard-rules",
        {"name": "No prices", "condition": "asked for a price", "action": "decline"},
    ),
    Case(
        "guard_rules.replace",
        (AGENT_ID, []),
        {},
        "PUT",
        f"{BASE}/guard-rules",
        {"guard_rules": []},
    ),
    Case(
        "guard_rules.update",
        (AGENT_ID, ITEM_ID),
        {"action": "escalate"},
        "PATCH",
        f"{BASE}/guard-rules/{ITEM_ID}",
        {"action": "escalate"},
    ),
    Case(
        "guard_rules.delete",
        (AGENT_ID, ITEM_ID),
        {},
        "DELETE",
        f"{BASE}/guard-rules/{ITEM_ID}",
        None,
    ),
    Case(
        "routing_rules.create",
        (AGENT_ID,),
        {"name": "Billing", "condition": "invoice", "target": "+14155552671"},
        "POST",
        f"{BASE}/routing-rules",
        {"name": "Billing", "condition": "invoice", "target": "+14155552671"},
    ),
    Case(
        "routing_rules.replace",
        (AGENT_ID, [{"name": "Billing"}]),
        {},
        "PUT",
        f"{BASE}/routing-rules",
        {"routing_rules": [{"name": "Billing"}]},
    ),
    Case(
        "routing_rules.update",
        (AGENT_ID, ITEM_ID),
        {"condition": "refund"},
        "PATCH",
        f"{BASE}/routing-rules/{ITEM_ID}",
        {"condition": "refund"},
    ),
    Case(
        "routing_rules.delete",
        (AGENT_ID, ITEM_ID),
        {},
        "DELETE",
        f"{BASE}/routing-rules/{ITEM_ID}",
        None,
    ),
]
ITEM_ID_NAMES = {
    "notes": "note_id",
    "guidelines": "guideline_id",
    "procedures": "procedure_id",
    "training": "training_id",
    "guard_rules": "rule_id",
    "routing_rules": "rule_id",
}
ITEM_CASES = [case for case in CASES if len(case.args) == 2 and isinstance(case.args[1], str)]


def by_name(cases: list[Case]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", cases, ids=[case.name for case in cases])


# Request by request -------------------------------------------------------------------


@by_name(CASES)
async def test_each_operation_sends_its_method_path_and_body_and_returns_the_agent(
    api: respx.MockRouter, client: mh.AsyncMindhunters, case: Case
) -> None:
    route = api.request(case.method, case.path).respond(200, json={"data": AGENT})
    result = await case.call(client)
    assert route.call_count == 1
    request = route.calls.last.request
    assert dict(request.url.params) == {}
    if case.body is None:
        assert request.content == b""
    else:
        assert json.loads(request.content) == case.body
    assert result == DECODED


@by_name(CASES)
async def test_ids_may_be_uuid_objects(
    api: respx.MockRouter, client: mh.AsyncMindhunters, case: Case
) -> None:
    route = api.request(case.method, case.path).respond(200, json={"data": AGENT})
    ids = tuple(uuid.UUID(arg) if isinstance(arg, str) else arg for arg in case.args)
    await case.call(client, *ids)
    assert route.call_count == 1


async def test_extras_reach_the_wire(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.post(f"{BASE}/notes").respond(201, json={"data": AGENT})
    await client.agents.notes.create(
        AGENT_ID,
        content="Be brief",
        extra_headers={"X-Team": "voice"},
        extra_query={"dry_run": "1"},
        extra_body={"content": "Be briefer", "pinned": True},
    )
    request = route.calls.last.request
    assert request.headers["x-team"] == "voice"
    assert dict(request.url.params) == {"dry_run": "1"}
    assert json.loads(request.content) == {"content": "Be briefer", "pinned": True}


async def test_a_write_whose_answer_is_not_the_agent_still_reads_with_the_id_sent(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    # The docs show `{data: <agent>}`; a delete answering less (as other groups'
    # deletes do) still gives the agent written to, as every agent write does.
    api.delete(f"{BASE}/notes/{ITEM_ID}").respond(200, json={"data": {"deleted": True}})
    agent = await client.agents.notes.delete(AGENT_ID, ITEM_ID)
    assert agent == Agent(id=AGENT_ID)


async def test_the_raw_response_of_a_section_write(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.post(f"{BASE}/guidelines").respond(201, json={"data": AGENT})
    # The raw-responses protocol types methods only, not sub-resources.
    guidelines: Any = client.agents.with_raw_response.guidelines
    raw = await guidelines.create(AGENT_ID, content="Greet")
    assert isinstance(raw, mh.RawResponse)
    assert raw.status_code == 201
    assert raw.parse() == DECODED


# Validation, before anything is sent ------------------------------------------------


def refused(api: respx.MockRouter, error: pytest.ExceptionInfo[mh.RequestValidationError]) -> str:
    assert not api.calls, "nothing may be sent"
    return error.value.field


@by_name(CASES)
async def test_an_agent_id_that_is_not_a_uuid_is_refused(
    api: respx.MockRouter, client: mh.AsyncMindhunters, case: Case
) -> None:
    with pytest.raises(mh.RequestValidationError) as error:
        await case.call(client, "agent-1", *case.args[1:])
    assert refused(api, error) == "agent_id"
    assert error.value.code is ErrorCode.INVALID_UUID


@by_name(ITEM_CASES)
async def test_an_item_id_that_is_not_a_uuid_is_refused(
    api: respx.MockRouter, client: mh.AsyncMindhunters, case: Case
) -> None:
    with pytest.raises(mh.RequestValidationError) as error:
        await case.call(client, AGENT_ID, "note-1")
    assert refused(api, error) == ITEM_ID_NAMES[case.name.split(".")[0]]
    assert error.value.code is ErrorCode.INVALID_UUID


# The client is `Any` here: these calls break the methods' types on purpose.
Call = Callable[[Any], Any]
MISSING: list[tuple[str, Call, str]] = [
    ("note without content", lambda c: c.agents.notes.create(AGENT_ID, content=" "), "content"),
    (
        "note with a blank title",
        lambda c: c.agents.notes.create(AGENT_ID, content="x", title=""),
        "title",
    ),
    (
        "guideline without content",
        lambda c: c.agents.guidelines.create(AGENT_ID, content=""),
        "content",
    ),
    ("procedure without name", lambda c: c.agents.procedures.create(AGENT_ID, name=""), "name"),
    (
        "procedure renamed blank",
        lambda c: c.agents.procedures.update(AGENT_ID, ITEM_ID, name=" "),
        "name",
    ),
    ("empty training row", lambda c: c.agents.training.create(AGENT_ID), "question"),
    (
        "question without answer",
        lambda c: c.agents.training.create(AGENT_ID, question="Hours?"),
        "answer",
    ),
    ("blank content", lambda c: c.agents.training.create(AGENT_ID, content=" "), "content"),
    (
        "training answer blanked",
        lambda c: c.agents.training.update(AGENT_ID, ITEM_ID, answer=""),
        "answer",
    ),
    ("empty guard rule", lambda c: c.agents.guard_rules.create(AGENT_ID), "name"),
    ("guard rule of blanks", lambda c: c.agents.guard_rules.create(AGENT_ID, extra=""), "name"),
    ("empty routing rule", lambda c: c.agents.routing_rules.create(AGENT_ID), "name"),
    (
        "routing rule action blank",
        lambda c: c.agents.routing_rules.update(AGENT_ID, ITEM_ID, action=""),
        "action",
    ),
    (
        "steps not a list",
        lambda c: c.agents.procedures.create(AGENT_ID, name="R", steps="Ask"),
        "steps",
    ),
    (
        "a step of the wrong type",
        lambda c: c.agents.procedures.update(AGENT_ID, ITEM_ID, steps=["Ask", 7]),
        "steps.1",
    ),
    (
        "guidelines not a list",
        lambda c: c.agents.guidelines.replace(AGENT_ID, {"content": "x"}),
        "guidelines",
    ),
    (
        "a guideline that is a string",
        lambda c: c.agents.guidelines.replace(AGENT_ID, [{}, "x"]),
        "guidelines.1",
    ),
    ("training as a string", lambda c: c.agents.training.replace(AGENT_ID, "x"), "training"),
    ("guard rules missing", lambda c: c.agents.guard_rules.replace(AGENT_ID, None), "guard_rules"),
    (
        "routing rules of numbers",
        lambda c: c.agents.routing_rules.replace(AGENT_ID, [1]),
        "routing_rules.0",
    ),
]


@pytest.mark.parametrize(("call", "field"), [m[1:] for m in MISSING], ids=[m[0] for m in MISSING])
async def test_a_missing_or_malformed_value_is_refused(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Call, field: str
) -> None:
    with pytest.raises(mh.RequestValidationError) as error:
        await call(client)
    assert refused(api, error) == field
    assert error.value.code is ErrorCode.VALIDATION_ERROR


async def test_a_training_row_may_take_its_content_from_extra_body(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post(f"{BASE}/training").respond(201, json={"data": AGENT})
    await client.agents.training.create(AGENT_ID, extra_body={"content": "We sell shoes"})
    assert json.loads(route.calls.last.request.content) == {"content": "We sell shoes"}


# Against the fake --------------------------------------------------------------------


def ids(items: Any) -> list[str]:
    return [item["uuid"] for item in items]


async def test_notes_are_added_read_back_and_deleted() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        first = await client.agents.notes.create(agent_id, content="Be brief", title="Tone")
        second = await client.agents.notes.create(agent_id, content="Say goodbye")
        read = await client.agents.get(agent_id)
        after = await client.agents.notes.delete(agent_id, first.notes[0]["uuid"])
        reread = await client.agents.get(agent_id)
        with pytest.raises(mh.NotFoundError) as gone:
            await client.agents.notes.delete(agent_id, first.notes[0]["uuid"])
    assert [n["content"] for n in second.notes] == ["Be brief", "Say goodbye"]
    assert second.notes[0]["title"] == "Tone"
    assert len(set(ids(second.notes))) == 2
    assert read == second
    assert [n["content"] for n in after.notes] == ["Say goodbye"]
    assert reread.notes == after.notes
    assert gone.value.code == "RESOURCE_NOT_FOUND"
    assert fake.requests_to("POST", f"/agents/{agent_id}/notes")[0].status == 201


async def test_guidelines_are_added_replaced_and_deleted() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        added = await client.agents.guidelines.create(agent_id, content="Greet")
        kept = added.guidelines[0]
        replaced = await client.agents.guidelines.replace(agent_id, [kept, {"content": "Thank"}])
        deleted = await client.agents.guidelines.delete(agent_id, kept["uuid"])
        cleared = await client.agents.guidelines.replace(agent_id, [])
        read = await client.agents.get(agent_id)
    # An item sent back with its uuid keeps it; a new one gets its own.
    assert ids(replaced.guidelines)[0] == kept["uuid"]
    assert [g["content"] for g in replaced.guidelines] == ["Greet", "Thank"]
    assert ids(replaced.guidelines)[1] not in (None, kept["uuid"])
    assert [g["content"] for g in deleted.guidelines] == ["Thank"]
    assert cleared.guidelines == []
    assert read.guidelines == []


async def test_a_procedure_update_replaces_its_steps() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        created = await client.agents.procedures.create(
            agent_id, name="Refund", description="Money back", steps=["Ask", "Check", "Pay"]
        )
        procedure_id = created.procedures[0]["uuid"]
        updated = await client.agents.procedures.update(agent_id, procedure_id, steps=["Pay"])
        renamed = await client.agents.procedures.update(agent_id, procedure_id, name="Refunds")
        deleted = await client.agents.procedures.delete(agent_id, procedure_id)
    assert created.procedures[0]["steps"] == ["Ask", "Check", "Pay"]
    assert updated.procedures == [
        {"uuid": procedure_id, "name": "Refund", "description": "Money back", "steps": ["Pay"]}
    ]
    assert renamed.procedures[0]["name"] == "Refunds"
    assert renamed.procedures[0]["steps"] == ["Pay"]
    assert deleted.procedures == []


async def test_training_rows_are_added_updated_replaced_and_deleted() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        created = await client.agents.training.create(agent_id, question="Hours?", answer="9-5")
        row_id = created.training[0]["uuid"]
        updated = await client.agents.training.update(agent_id, row_id, answer="10-6")
        added = await client.agents.training.create(agent_id, content="We sell shoes")
        deleted = await client.agents.training.delete(agent_id, row_id)
        replaced = await client.agents.training.replace(agent_id, [{"content": "Only"}])
    assert updated.training == [{"uuid": row_id, "question": "Hours?", "answer": "10-6"}]
    assert [row.get("content") for row in added.training] == [None, "We sell shoes"]
    assert [row["content"] for row in deleted.training] == ["We sell shoes"]
    assert [row["content"] for row in replaced.training] == ["Only"]


@pytest.mark.parametrize("section", ["guard_rules", "routing_rules"])
async def test_rules_are_added_updated_replaced_and_deleted(section: str) -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        rules = getattr(client.agents, section)
        created = await rules.create(agent_id, name="No prices", action="decline")
        rule_id = getattr(created, section)[0]["uuid"]
        updated = await rules.update(agent_id, rule_id, action="escalate", priority=1)
        second = await rules.create(agent_id, condition="angry")
        deleted = await rules.delete(agent_id, rule_id)
        replaced = await rules.replace(agent_id, [{"name": "A"}, {"name": "B"}])
        read = await client.agents.get(agent_id)
        with pytest.raises(mh.NotFoundError):
            await rules.update(agent_id, rule_id, action="again")
    assert getattr(updated, section) == [
        {"uuid": rule_id, "name": "No prices", "action": "escalate", "priority": 1}
    ]
    assert [r.get("condition") for r in getattr(second, section)] == [None, "angry"]
    assert [r["condition"] for r in getattr(deleted, section)] == ["angry"]
    assert [r["name"] for r in getattr(replaced, section)] == ["A", "B"]
    assert getattr(read, section) == getattr(replaced, section)


@by_name(CASES)
async def test_the_fake_answers_404_for_an_unknown_agent(case: Case) -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        with pytest.raises(mh.NotFoundError) as error:
            await case.call(client)
    assert error.value.code == "RESOURCE_NOT_FOUND"
    assert len(fake.requests_to(case.method, case.path)) == 1


@by_name(ITEM_CASES)
async def test_the_fake_answers_404_for_an_unknown_item(case: Case) -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        with pytest.raises(mh.NotFoundError) as error:
            await case.call(client, fake.DEFAULT_AGENT_ID, ITEM_ID)
    assert error.value.code == "RESOURCE_NOT_FOUND"
    assert ITEM_ID in str(error.value)


async def test_items_of_another_agent_are_not_found() -> None:
    fake = FakeMindhunters()
    other = fake.add_agent("Other")
    async with fake.client() as client:
        created = await client.agents.notes.create(fake.DEFAULT_AGENT_ID, content="Mine")
        with pytest.raises(mh.NotFoundError):
            await client.agents.notes.delete(other, created.notes[0]["uuid"])
        read = await client.agents.get(fake.DEFAULT_AGENT_ID)
    assert [n["content"] for n in read.notes] == ["Mine"]


async def test_agents_update_replaces_what_the_section_writes_wrote() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        await client.agents.notes.create(agent_id, content="Old")
        await client.agents.update(agent_id, notes=[{"content": "From update"}])
        added = await client.agents.notes.create(agent_id, content="New")
    assert [n["content"] for n in added.notes] == ["From update", "New"]


REFUSED_BY_THE_FAKE = [
    ("POST", "notes", {"title": "no content"}, "content"),
    ("POST", "guidelines", {"content": " "}, "content"),
    ("POST", "procedures", {"steps": ["Ask"]}, "name"),
    ("POST", "training", {"question": "Hours?"}, "answer"),
    ("POST", "guard-rules", {}, "name"),
    ("POST", "routing-rules", {"name": ""}, "name"),
    ("PUT", "guidelines", {}, "guidelines"),
    ("PUT", "training", {"training": {"content": "x"}}, "training"),
    ("PUT", "guard-rules", {"guard_rules": [{"name": "A"}, "B"]}, "guard_rules.1"),
]


@pytest.mark.parametrize(("method", "segment", "body", "field"), REFUSED_BY_THE_FAKE)
async def test_the_fake_answers_422_naming_the_missing_field(
    method: str, segment: str, body: dict[str, Any], field: str
) -> None:
    # Past the SDK's own checks, as a raw request would be.
    fake = FakeMindhunters()
    async with fake.client() as client:
        with pytest.raises(mh.UnprocessableEntityError) as error:
            await client.request(method, f"/agents/{fake.DEFAULT_AGENT_ID}/{segment}", json=body)
        read = await client.agents.get(fake.DEFAULT_AGENT_ID)
    assert error.value.field == field
    assert read.notes is read.guidelines is read.procedures is read.training is None


async def test_the_fake_refuses_to_blank_a_required_field_of_an_item() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        created = await client.agents.procedures.create(agent_id, name="Refund")
        path = f"/agents/{agent_id}/procedures/{created.procedures[0]['uuid']}"
        with pytest.raises(mh.UnprocessableEntityError) as error:
            await client.request("PATCH", path, json={"name": ""})
        read = await client.agents.get(agent_id)
    assert error.value.field == "name"
    assert read.procedures[0]["name"] == "Refund"


async def test_the_fake_serves_only_the_documented_operations() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        with pytest.raises(mh.NotFoundError) as error:
            await client.request("PUT", f"/agents/{fake.DEFAULT_AGENT_ID}/notes", json={})
    assert error.value.code == "ENDPOINT_NOT_FOUND"
