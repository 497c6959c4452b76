"""evaluations, the workspace default, analyzers, contact approvals and custom fields:
the requests they send, their decoding, the checks before sending, and the fake."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import respx
from support import ok

import mindhunters_async as mh
from mindhunters_async._models.evaluations import (
    Analyzer,
    ContactApproval,
    ContactField,
    Evaluation,
    EvaluationScore,
    EvaluationSettings,
    UpdateBehavior,
)
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

EVALUATION_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
SESSION_ID = "6d4adde3-8fb0-4893-87e1-83f950723f4e"
CONTACT_ID = "153580ac-af27-4c77-aa59-02e9f9b8fe1a"
APPROVAL_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


def laravel(items: list[Any], total: int | None = None) -> dict[str, Any]:
    return {
        "current_page": 1,
        "data": items,
        "last_page": 1,
        "per_page": 15,
        "total": len(items) if total is None else total,
    }


# Request by request ----------------------------------------------------------------------


async def test_evaluations_list_reads_a_laravel_page(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    item = {
        "uuid": EVALUATION_ID,
        "session_uuid": SESSION_ID,
        "sentiment": {"value": "Positive", "confidence": 87, "reason": "thanks"},
        "success": {"value": "yes", "confidence": "90"},
        "emotion": "not an object",
        "created_at": "2023-11-07T05:31:56Z",
    }
    route = api.get("/evaluations").mock(return_value=ok(laravel([item])))
    page = await client.evaluations.list(per_page=50, contact_uuid=CONTACT_ID)
    assert dict(route.calls.last.request.url.params) == {
        "contact_uuid": CONTACT_ID,
        "per_page": "50",
        "page": "1",
    }
    (evaluation,) = page.items
    assert isinstance(evaluation, Evaluation)
    assert evaluation.id == EVALUATION_ID
    assert evaluation.session_uuid == SESSION_ID
    assert evaluation.sentiment == EvaluationScore(value="Positive", confidence=87, reason="thanks")
    assert evaluation.success == EvaluationScore(value="yes", confidence=90)
    assert evaluation.emotion is None  # an odd value fails the field, not the page


async def test_set_default_puts_the_sections(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    answer = {
        "is_default": True,
        "is_active": True,
        "source": "default",
        "sessionization": {"timeout_minutes": 30},
        "text": {"emotion_detection": {"enabled": False}},
    }
    route = api.put("/evaluate/default").mock(return_value=ok(answer))
    settings = await client.evaluations.set_default(
        sessionization={"timeout_minutes": 30},
        text={"emotion_detection": {"enabled": False}},
        voice=None,
    )
    assert body_of(route) == {
        "sessionization": {"timeout_minutes": 30},
        "text": {"emotion_detection": {"enabled": False}},
    }
    assert settings == EvaluationSettings(
        is_default=True,
        is_active=True,
        source="default",
        sessionization={"timeout_minutes": 30},
        text={"emotion_detection": {"enabled": False}},
    )


async def test_analyzers_update_puts_the_settings(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    # The docs show no answer body: the analyzer's id comes from the path.
    route = api.put("/analyzers/f_order_number").mock(
        return_value=ok({}, message="Analyzer updated")
    )
    analyzer = await client.analyzers.update(
        "f_order_number",
        update_behavior=UpdateBehavior.AUTOMATIC_UPDATE,
        analysis_goals="Extract the order number",
        example_values="ORD-1001",
    )
    assert route.calls.last.request.method == "PUT"
    assert body_of(route) == {
        "update_behavior": "automatic_update",
        "analysis_goals": "Extract the order number",
        "example_values": "ORD-1001",
    }
    assert analyzer == Analyzer(id="f_order_number")


async def test_a_built_in_analyzer_takes_its_behavior(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    answer = {"internal_id": "b_email", "update_behavior": "manual_approval"}
    route = api.put("/analyzers/b_email").mock(return_value=ok(answer))
    analyzer = await client.analyzers.update("b_email", update_behavior="manual_approval")
    assert body_of(route) == {"update_behavior": "manual_approval"}
    assert analyzer == Analyzer(id="b_email", update_behavior="manual_approval")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda c: c.analyzers.update("order_number", update_behavior="dont_update"),
            "analyzer_id",
        ),
        (lambda c: c.analyzers.update("x_order", update_behavior="dont_update"), "analyzer_id"),
        (lambda c: c.analyzers.update("f_", update_behavior="dont_update"), "analyzer_id"),
        (lambda c: c.analyzers.update("f_order", update_behavior="always"), "update_behavior"),
        (lambda c: c.analyzers.update("p_stage", analysis_goals="x" * 1001), "analysis_goals"),
        (lambda c: c.analyzers.update("f_order", example_values=["a"]), "example_values"),
        (lambda c: c.analyzers.update("b_email", analysis_goals="Find it"), "analysis_goals"),
    ],
)
async def test_analyzer_settings_are_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route(url__regex=r".*/analyzers/.*").mock(return_value=ok({}))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert not route.called


async def test_contact_approvals_are_filtered(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    item = {
        "uuid": APPROVAL_ID,
        "contact_uuid": CONTACT_ID,
        "field_name": "f_tier",
        "current_value": None,
        "suggested_value": "gold",
        "confidence": 0.92,
        "status": "Pending",
    }
    route = api.get("/contacts/approvals").mock(return_value=ok(laravel([item])))
    page = await client.contacts.approvals(
        status="Pending", field_key="tier", confidence="high", contact_uuid=CONTACT_ID
    )
    assert dict(route.calls.last.request.url.params) == {
        "status": "Pending",
        "field_key": "tier",
        "confidence": "high",
        "contact_uuid": CONTACT_ID,
        "page": "1",
    }
    assert page.items == (
        ContactApproval(
            id=APPROVAL_ID,
            contact_uuid=CONTACT_ID,
            field_name="f_tier",
            suggested_value="gold",
            confidence=0.92,
            status="Pending",
        ),
    )


async def test_contact_fields_list_and_create(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    field = {"uuid": EVALUATION_ID, "key": "tier", "name": "Tier", "type": "text"}
    listing = api.get("/contacts/fields").mock(return_value=ok([field]))
    creating = api.post("/contacts/fields").mock(return_value=ok(field, status=201))
    page = await client.contacts.fields.list()
    created = await client.contacts.fields.create(key="tier", name="Tier", type="text")
    assert page.items == (ContactField(id=EVALUATION_ID, key="tier", name="Tier", type="text"),)
    assert dict(listing.calls.last.request.url.params) == {"page": "1"}
    assert body_of(creating) == {"key": "tier", "name": "Tier", "type": "text"}
    assert created == page.items[0]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.contacts.approvals(contact_uuid="c-1"), "contact_uuid"),
        (lambda c: c.contacts.approvals(per_page=101), "per_page"),
        (lambda c: c.contacts.fields.create(key=" "), "key"),
        (lambda c: c.contacts.fields.list(per_page=0), "per_page"),
        (lambda c: c.evaluations.list(per_page=101), "per_page"),
    ],
)
async def test_contact_and_list_arguments_are_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route().mock(return_value=ok({}))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert not route.called


# Against the fake -----------------------------------------------------------------------


async def test_the_default_settings_merge_section_by_section() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        await client.evaluations.set_default(sessionization={"timeout_minutes": 30})
        settings = await client.evaluations.set_default(
            sessionization={"report_language": "German"}
        )
    assert settings.source == "default"
    assert settings.sessionization == {"timeout_minutes": 30, "report_language": "German"}


async def test_an_analyzer_is_updated_and_read_back() -> None:
    fake = FakeMindhunters()
    fake.add_record("analyzers", uuid="f_order_number", update_behavior="dont_update")
    fake.add_record("analyzers", uuid="b_email")
    async with fake.client() as client:
        analyzer = await client.analyzers.update(
            "f_order_number", update_behavior="update_if_empty", analysis_goals="Find it"
        )
        assert analyzer.id == "f_order_number"
        assert analyzer.update_behavior == "update_if_empty"
        assert analyzer.analysis_goals == "Find it"
        with pytest.raises(mh.NotFoundError):
            await client.analyzers.update("f_missing", update_behavior="dont_update")
        # What the SDK refuses for a built-in, the fake refuses too.
        with pytest.raises(mh.UnprocessableEntityError):
            await client.request("PUT", "/analyzers/b_email", json={"analysis_goals": "x"})
    assert fake.records("analyzers")["f_order_number"]["analysis_goals"] == "Find it"


async def test_a_registered_custom_field_is_accepted_by_contacts() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        with pytest.raises(mh.UnprocessableEntityError):
            await client.contacts.create(name="Ada", phone_number="+14155550100", tier="gold")
        field = await client.contacts.fields.create(key="tier", name="Tier")
        assert field.key == "tier"
        contact = await client.contacts.create(name="Ada", phone_number="+14155550100", tier="gold")
        assert contact.custom_fields["tier"] == "gold"
        with pytest.raises(mh.UnprocessableEntityError) as info:
            await client.contacts.fields.create(key="tier")
        assert info.value.field == "key"
        listed = [f.key async for f in client.contacts.fields.list()]
    assert listed == ["tier"]


async def test_approvals_are_filtered_by_the_fake() -> None:
    fake = FakeMindhunters()
    fake.add_record("contact_approvals", field_name="f_tier", status="Pending")
    fake.add_record("contact_approvals", field_name="b_email", status="Pending")
    fake.add_record("contact_approvals", field_name="f_tier", status="Approved")
    async with fake.client() as client:
        pending = [a async for a in client.contacts.approvals(status="Pending")]
        tier = [a async for a in client.contacts.approvals(field_key="tier", status="Pending")]
    assert {a.field_name for a in pending} == {"f_tier", "b_email"}
    assert [(a.field_name, a.status) for a in tier] == [("f_tier", "Pending")]


LISTS: dict[str, tuple[str, str, Callable[[mh.AsyncMindhunters], Any]]] = {
    "evaluations.list": ("evaluations", "/evaluations", lambda c: c.evaluations.list(per_page=2)),
    "contacts.approvals": (
        "contact_approvals",
        "/contacts/approvals",
        lambda c: c.contacts.approvals(per_page=2),
    ),
    "contacts.fields.list": (
        "contact_fields",
        "/contacts/fields",
        lambda c: c.contacts.fields.list(per_page=2),
    ),
}


@pytest.mark.parametrize("name", list(LISTS))
async def test_a_three_page_list_is_walked_one_request_a_page(name: str) -> None:
    collection, path, listing = LISTS[name]
    fake = FakeMindhunters()
    for i in range(5):
        fake.add_record(collection, key=f"k{i}")
    async with fake.client() as client:
        items = [item async for item in listing(client)]
        first = await listing(client)
    assert len({item.id for item in items}) == 5
    assert len(fake.requests_to("GET", path)) == 3 + 1  # three pages, then the awaited one
    assert isinstance(first, mh.Page)
    assert len(first.items) == 2
