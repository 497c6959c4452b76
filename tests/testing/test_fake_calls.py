"""The fake's calls and agents: creation, validation, reading, paging and filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from mindhunters_async.testing import FakeMindhunters, ManualClock

MakeClient = Callable[..., httpx.Client]
AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NUMBER = "+14155552671"


def place(api: httpx.Client, agent_id: str = AGENT, number: str = NUMBER, **headers: str) -> Any:
    response = api.post(
        "/call", json={"agentId": agent_id, "participant": {"number": number}}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def error_of(response: httpx.Response) -> tuple[int, str, str | None, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error.get("field"), error["details"]


def test_created_call_response_and_state(fake: FakeMindhunters, api: httpx.Client) -> None:
    body = place(api)
    call_id = body["data"]["id"]
    assert body == {
        "success": True,
        "message": "Call initiated successfully",
        "data": {
            "id": call_id,
            "agentId": AGENT,
            "provider": "twilio",
            "status": "initiated",
            "participant": {"number": NUMBER},
            "createdAt": "2023-11-14T22:13:20.000000Z",
            # The newer docs' fields, for steering the live call.
            "conversation_uuid": fake.calls[call_id].conversation_uuid,
            "contact_uuid": fake.calls[call_id].contact_uuid,
            "listen_url": f"wss://fake.mindhunters.ai/listen/{fake.calls[call_id].conversation_uuid}",
            "record_url": (
                "https://fake.mindhunters.ai/recordings/"
                f"{fake.calls[call_id].conversation_uuid}.mp3"
            ),
        },
    }
    (call,) = fake.calls.values()
    assert (call.id, call.agent_id, call.number, call.direction) == (
        call_id,
        AGENT,
        NUMBER,
        "outbound",
    )
    assert call.body == {"agentId": AGENT, "participant": {"number": NUMBER}}


def test_get_call_shows_every_field(fake: FakeMindhunters, api: httpx.Client) -> None:
    call_id = place(api)["data"]["id"]
    response = api.get(f"/calls/{call_id}")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Call retrieved successfully",
        "data": {
            "id": call_id,
            "uuid": call_id,
            "agent": {"name": "Test Agent", "uuid": AGENT},
            "direction": "outbound",
            "status": "initiated",
            "duration": 0,
            "createdAt": "2023-11-14T22:13:20.000000Z",
            "updatedAt": "2023-11-14T22:13:20.000000Z",
            "communication": {"channel": "call", "number": NUMBER},
        },
    }


def test_tests_may_move_a_call_along(fake: FakeMindhunters, api: httpx.Client) -> None:
    call_id = place(api)["data"]["id"]
    fake.calls[call_id].status = "completed"
    fake.calls[call_id].duration = 42
    data = api.get(f"/calls/{call_id}").json()["data"]
    assert (data["status"], data["duration"]) == ("completed", 42)


def test_extra_body_fields_are_accepted_and_kept(fake: FakeMindhunters, api: httpx.Client) -> None:
    body = {
        "agentId": AGENT,
        "participant": {"number": NUMBER, "about": "a customer"},
        "prompt": {"overwrite": False, "content": "Be brief"},
        "message": {"start": "Hello"},
    }
    assert api.post("/call", json=body).status_code == 201
    (call,) = fake.calls.values()
    assert call.body == body


MISSING = ("VALIDATION_ERROR", "The agentId field is required")
BAD_UUID = ("INVALID_UUID", "agentId must be a valid UUID")
NO_NUMBER = ("VALIDATION_ERROR", "The participant.number field is required")
BAD_NUMBER = ("INVALID_FORMAT", "Phone number must be in E.164 format (e.g., +1234567890)")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, ("agentId", *MISSING)),
        ({"agentId": None}, ("agentId", *MISSING)),
        ({"agentId": "  "}, ("agentId", *MISSING)),
        ({"agentId": 123}, ("agentId", *BAD_UUID)),
        ({"agentId": AGENT.replace("-", "")}, ("agentId", *BAD_UUID)),
        ({"agentId": AGENT + "\n"}, ("agentId", *BAD_UUID)),
        ({"agentId": "g" + AGENT[1:]}, ("agentId", *BAD_UUID)),
        ({"agentId": "\u0661" + AGENT[1:]}, ("agentId", *BAD_UUID)),  # an Arabic-Indic 1
        ({"agentId": AGENT}, ("participant.number", *NO_NUMBER)),
        ({"agentId": AGENT, "participant": "x"}, ("participant.number", *NO_NUMBER)),
        ({"agentId": AGENT, "participant": {"number": ""}}, ("participant.number", *NO_NUMBER)),
        ({"agentId": AGENT, "participant": {"number": 1234}}, ("participant.number", *BAD_NUMBER)),
        ({"agentId": "nope", "participant": {}}, ("agentId", *BAD_UUID)),
    ],
)
def test_validation_reports_the_first_bad_field(
    fake: FakeMindhunters, api: httpx.Client, body: dict[str, Any], expected: tuple[str, ...]
) -> None:
    field, code, details = expected
    assert error_of(api.post("/call", json=body)) == (422, code, field, details)
    assert fake.calls == {}


@pytest.mark.parametrize(
    "number",
    [
        "1234567890",
        "+0123456789",
        "+1",
        "+1234567890123456",
        "+1 234 567",
        "+\u0661\u0662\u0663",
        "+12\n",
    ],
)
def test_numbers_outside_e164_are_rejected(api: httpx.Client, number: str) -> None:
    response = api.post("/call", json={"agentId": AGENT, "participant": {"number": number}})
    code, details = BAD_NUMBER
    assert error_of(response) == (422, code, "participant.number", details)


@pytest.mark.parametrize("number", ["+12", "+123456789012345"])
def test_shortest_and_longest_e164_numbers_pass(api: httpx.Client, number: str) -> None:
    place(api, number=number)


def test_empty_body_is_missing_fields_not_bad_json(api: httpx.Client) -> None:
    response = api.post("/call", content=b"")
    assert error_of(response) == (422, "VALIDATION_ERROR", "agentId", MISSING[1])


def test_unknown_agent_is_not_found(fake: FakeMindhunters, api: httpx.Client) -> None:
    agent_id = "11111111-2222-4333-8444-555555555555"
    response = api.post("/call", json={"agentId": agent_id, "participant": {"number": NUMBER}})
    assert error_of(response) == (
        404,
        "RESOURCE_NOT_FOUND",
        None,
        f"Agent with ID '{agent_id}' not found",
    )
    assert fake.calls == {}


def test_calls_through_an_added_agent(fake: FakeMindhunters, api: httpx.Client) -> None:
    agent_id = fake.add_agent("Sales", description="sells")
    call_id = place(api, agent_id=agent_id)["data"]["id"]
    assert api.get(f"/calls/{call_id}").json()["data"]["agent"] == {
        "name": "Sales",
        "uuid": agent_id,
    }


def test_agents(fake: FakeMindhunters, api: httpx.Client) -> None:
    agent_id = fake.add_agent(
        "Support", agent_id="12345678-1234-4234-8234-123456789abc", language="de"
    )
    listed = api.get("/agents").json()
    assert listed["data"]["items"] == [
        {
            "agent_uuid": AGENT,
            "name": "Test Agent",
            "description": "",
            "status": "active",
            "language": "en",
        },
        {
            "agent_uuid": agent_id,
            "name": "Support",
            "description": "",
            "status": "active",
            "language": "de",
        },
    ]
    one = api.get(f"/agents/{agent_id}").json()
    assert one["data"] == listed["data"]["items"][1]
    missing = api.get("/agents/00000000-0000-4000-8000-00000000dead")
    assert error_of(missing)[:2] == (404, "RESOURCE_NOT_FOUND")
    assert error_of(missing)[3] == "Agent with ID '00000000-0000-4000-8000-00000000dead' not found"


def test_add_call_needs_a_known_agent(fake: FakeMindhunters) -> None:
    with pytest.raises(ValueError, match="unknown agent"):
        fake.add_call(agent_id="11111111-2222-4333-8444-555555555555")


# Listing


def test_list_is_a_laravel_paginator_newest_first(
    fake: FakeMindhunters, api: httpx.Client, clock: ManualClock
) -> None:
    ids = []
    for _ in range(3):
        ids.append(place(api)["data"]["id"])
        clock.advance(1)
    body = api.get("/calls", params={"per_page": 2}).json()
    assert body["success"] is True
    assert body["message"] == "Calls retrieved successfully"
    page = body["data"]
    assert [item["uuid"] for item in page["data"]] == [ids[2], ids[1]]
    base = "https://fake.mindhunters.ai/api/v1/calls"
    assert {k: v for k, v in page.items() if k != "data"} == {
        "current_page": 1,
        "first_page_url": f"{base}?per_page=2&page=1",
        "from": 1,
        "last_page": 2,
        "last_page_url": f"{base}?per_page=2&page=2",
        "next_page_url": f"{base}?per_page=2&page=2",
        "path": base,
        "per_page": 2,
        "prev_page_url": None,
        "to": 2,
        "total": 3,
    }
    assert page["data"][0] == {
        "uuid": ids[2],
        "agent": {"name": "Test Agent", "uuid": AGENT},
        "direction": "outbound",
        "status": "initiated",
        "duration": 0,
        "createdAt": "2023-11-14T22:13:22.000000Z",
        "updatedAt": "2023-11-14T22:13:22.000000Z",
        "communication": {"channel": "call", "number": NUMBER},
    }
    second = api.get(page["next_page_url"]).json()["data"]
    assert [item["uuid"] for item in second["data"]] == [ids[0]]
    assert (second["current_page"], second["from"], second["to"]) == (2, 3, 3)
    assert second["next_page_url"] is None
    assert second["prev_page_url"] == f"{base}?per_page=2&page=1"


def test_ties_in_time_list_the_later_call_first(api: httpx.Client) -> None:
    first, second = place(api)["data"]["id"], place(api)["data"]["id"]
    assert [c["uuid"] for c in api.get("/calls").json()["data"]["data"]] == [second, first]


def test_default_page_size_is_15(fake: FakeMindhunters, api: httpx.Client) -> None:
    for _ in range(16):
        fake.add_call()
    page = api.get("/calls").json()["data"]
    assert (len(page["data"]), page["per_page"], page["last_page"], page["total"]) == (
        15,
        15,
        2,
        16,
    )


def test_empty_list_and_page_past_the_end(api: httpx.Client) -> None:
    page = api.get("/calls").json()["data"]
    assert (page["data"], page["total"], page["last_page"], page["from"], page["to"]) == (
        [],
        0,
        1,
        None,
        None,
    )
    place(api)
    past = api.get("/calls", params={"page": 5}).json()["data"]
    assert (past["data"], past["current_page"], past["total"]) == ([], 5, 1)


@pytest.mark.parametrize(
    ("params", "field", "details"),
    [
        ({"per_page": "0"}, "per_page", "The per_page field must be an integer between 1 and 100"),
        (
            {"per_page": "101"},
            "per_page",
            "The per_page field must be an integer between 1 and 100",
        ),
        (
            {"per_page": "ten"},
            "per_page",
            "The per_page field must be an integer between 1 and 100",
        ),
        ({"per_page": "-1"}, "per_page", "The per_page field must be an integer between 1 and 100"),
        ({"page": "0"}, "page", "The page field must be an integer of at least 1"),
        ({"page": "1.5"}, "page", "The page field must be an integer of at least 1"),
    ],
)
def test_bad_paging_is_a_validation_error(
    api: httpx.Client, params: dict[str, str], field: str, details: str
) -> None:
    assert error_of(api.get("/calls", params=params)) == (422, "VALIDATION_ERROR", field, details)


def test_per_page_100_is_allowed(api: httpx.Client) -> None:
    assert api.get("/calls", params={"per_page": 100}).json()["data"]["per_page"] == 100


def test_empty_paging_parameters_mean_the_defaults(api: httpx.Client) -> None:
    page = api.get("/calls", params={"page": "", "per_page": ""}).json()["data"]
    assert (page["current_page"], page["per_page"]) == (1, 15)


def test_filters(fake: FakeMindhunters, api: httpx.Client) -> None:
    other_agent = fake.add_agent("Other")
    outbound = place(api)["data"]["id"]
    inbound = fake.add_call(direction="inbound", status="completed", duration=30)
    other = fake.add_call(agent_id=other_agent, direction="outbound", status="failed")

    def listed(**params: str) -> set[str]:
        return {item["uuid"] for item in api.get("/calls", params=params).json()["data"]["data"]}

    assert listed() == {outbound, inbound, other}
    assert listed(agent_id=AGENT) == {outbound, inbound}
    assert listed(agent_id=other_agent) == {other}
    assert listed(direction="inbound") == {inbound}
    assert listed(status="failed") == {other}
    assert listed(direction="outbound", agent_id=AGENT) == {outbound}
    assert listed(status="no-such-status") == set()
    assert listed(status="") == {outbound, inbound, other}
    total = api.get("/calls", params={"direction": "outbound"}).json()["data"]["total"]
    assert total == 2


def test_add_call_with_given_time(fake: FakeMindhunters, api: httpx.Client) -> None:
    moment = datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc)
    call_id = fake.add_call(created_at=moment, duration=7)
    data = api.get(f"/calls/{call_id}").json()["data"]
    assert (data["createdAt"], data["direction"], data["status"], data["duration"]) == (
        "2024-05-01T12:30:00.000000Z",
        "inbound",
        "completed",
        7,
    )


# Idempotency-Key


def test_idempotency_keys_are_not_honoured_by_default(
    fake: FakeMindhunters, api: httpx.Client
) -> None:
    first = place(api, **{"Idempotency-Key": "k1"})["data"]["id"]
    second = place(api, **{"Idempotency-Key": "k1"})["data"]["id"]
    assert first != second
    assert [call.idempotency_key for call in fake.calls.values()] == ["k1", "k1"]


def test_idempotency_key_replay_when_enabled(make_client: MakeClient) -> None:
    fake = FakeMindhunters(replay_idempotency_keys=True)
    api = make_client(of=fake)
    first = place(api, **{"Idempotency-Key": "k1"})
    assert place(api, **{"Idempotency-Key": "k1"}) == first
    other = place(api, **{"Idempotency-Key": "k2"})
    assert other["data"]["id"] != first["data"]["id"]
    place(api)
    place(api)
    assert len(fake.calls) == 4
