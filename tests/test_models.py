"""Models: lenient decoding of the API's objects, and request bodies built from models."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
import respx
from support import AGENT_ID, CALL_ID, CALL_PATH, PHONE, ok

import mindhunters_async as mh

pytestmark = pytest.mark.anyio

WHEN = datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)


async def get_call(api: respx.MockRouter, client: mh.AsyncMindhunters, data: Any) -> mh.Call:
    api.get(CALL_PATH).mock(return_value=ok(data))
    return await client.calls.get(CALL_ID)


async def test_camel_case_keys(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    call = await get_call(
        api,
        client,
        {
            "id": CALL_ID,
            "agentId": AGENT_ID,
            "createdAt": "2024-01-15T10:30:00Z",
            "updatedAt": "2024-01-15T10:30:00Z",
            "handledBy": {"type": "ai"},
            "listenUrl": "https://listen.example/1",
        },
    )
    assert call.id == CALL_ID
    assert call.agent_id == AGENT_ID
    assert call.created_at == WHEN
    assert call.updated_at == WHEN
    assert call.handled_by == {"type": "ai"}
    assert call.listen_url == "https://listen.example/1"


async def test_snake_case_keys(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    call = await get_call(
        api,
        client,
        {
            "id": CALL_ID,
            "agent_id": AGENT_ID,
            "created_at": "2024-01-15T10:30:00Z",
            "conversation_uuid": "c-1",
            "contact_uuid": "k-1",
            "record_url": "https://rec.example/1",
        },
    )
    assert call.agent_id == AGENT_ID
    assert call.created_at == WHEN
    assert call.conversation_uuid == "c-1"
    assert call.contact_uuid == "k-1"
    assert call.record_url == "https://rec.example/1"


async def test_uuid_alias_and_nested_objects(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    call = await get_call(
        api,
        client,
        {
            "uuid": CALL_ID,
            "agent": {"uuid": AGENT_ID, "name": "Sales bot"},
            "participant": {"number": PHONE, "about": "VIP"},
            "direction": "outbound",
            "status": "completed",
            "provider": "twilio",
            "duration": 42,
        },
    )
    assert call.id == CALL_ID
    assert call.agent == mh.AgentRef(id=AGENT_ID, name="Sales bot")
    assert call.participant == mh.Participant(number=PHONE, about="VIP")
    assert (call.direction, call.status, call.provider) == ("outbound", "completed", "twilio")
    assert call.duration == 42.0


async def test_unknown_fields_are_ignored(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    call = await get_call(
        api,
        client,
        {"id": CALL_ID, "status": "initiated", "brandNewField": [1, 2], "__class__": "x"},
    )
    assert call == mh.Call(id=CALL_ID, status="initiated")


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("2024-01-15T10:30:00Z", id="iso-z"),
        pytest.param("2024-01-15T10:30:00.000000Z", id="iso-z-micros"),
        pytest.param("2024-01-15T12:30:00+02:00", id="iso-offset"),
        pytest.param("2024-01-15T05:30:00-05:00", id="iso-negative-offset"),
        pytest.param(1705314600, id="unix-seconds"),
        pytest.param(1705314600.0, id="unix-seconds-float"),
        pytest.param(1705314600000, id="unix-milliseconds"),
    ],
)
async def test_datetimes(api: respx.MockRouter, client: mh.AsyncMindhunters, value: Any) -> None:
    call = await get_call(api, client, {"id": CALL_ID, "createdAt": value, "timestamp": value})
    for when in (call.created_at, call.timestamp):
        assert isinstance(when, datetime)
        assert when.utcoffset() is not None
        assert when == WHEN


async def test_offset_is_kept(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    call = await get_call(api, client, {"id": CALL_ID, "createdAt": "2024-01-15T12:30:00+02:00"})
    assert call.created_at is not None
    assert call.created_at.utcoffset() == timedelta(hours=2)


async def test_wrong_types_in_optional_fields_become_none(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    call = await get_call(
        api,
        client,
        {
            "id": CALL_ID,
            "agentId": AGENT_ID,
            "status": {"not": "a string"},
            "direction": ["outbound"],
            "duration": "long",
            "createdAt": "yesterday",
            "updatedAt": True,
            "timestamp": 10**30,
            "participant": "+14155552671",
            "agent": ["not", "an", "object"],
            "provider": "twilio",
        },
    )
    assert call.agent_id == AGENT_ID
    assert call.provider == "twilio"
    assert call.status is None
    assert call.direction is None
    assert call.duration is None
    assert call.created_at is None
    assert call.updated_at is None
    assert call.timestamp is None
    assert call.participant is None
    assert call.agent is None


async def test_nested_object_with_a_bad_required_field_becomes_none(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    call = await get_call(api, client, {"id": CALL_ID, "participant": {"about": "no number"}})
    assert call.participant is None
    assert call.id == CALL_ID


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"agentId": AGENT_ID, "status": "initiated"}, id="missing-id"),
        pytest.param({"id": None}, id="null-id"),
        pytest.param({"id": {"nested": 1}}, id="object-id"),
        pytest.param([{"id": CALL_ID}], id="list"),
        pytest.param("a call", id="string"),
        pytest.param(None, id="null"),
    ],
)
async def test_unreadable_call_is_response_decode_error(
    api: respx.MockRouter, client: mh.AsyncMindhunters, data: Any
) -> None:
    with pytest.raises(mh.ResponseDecodeError, match="Call"):
        await get_call(api, client, data)


async def test_models_are_frozen(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    call = await get_call(api, client, {"id": CALL_ID, "participant": {"number": PHONE}})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        call.status = "hacked"  # type: ignore[misc]
    assert call.participant is not None
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        call.participant.number = "+1999"  # type: ignore[misc]
    for model in (mh.Prompt(), mh.Message(), mh.AgentRef()):
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            model.x = 1  # type: ignore[attr-defined]


async def test_create_response_is_decoded(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.post("/call").mock(
        return_value=ok(
            {
                "id": CALL_ID,
                "agentId": AGENT_ID,
                "provider": "twilio",
                "status": "initiated",
                "participant": {"number": PHONE},
                "createdAt": "2024-01-15T10:30:00Z",
            },
            status=201,
        )
    )
    call = await client.calls.create(agent_id=AGENT_ID, participant={"number": PHONE})
    assert call == mh.Call(
        id=CALL_ID,
        agent_id=AGENT_ID,
        provider="twilio",
        status="initiated",
        participant=mh.Participant(number=PHONE),
        created_at=WHEN,
    )


# --- request bodies ----------------------------------------------------------------------------


@pytest.fixture
def create_route(api: respx.MockRouter) -> respx.Route:
    return api.post("/call").mock(return_value=ok({"id": CALL_ID}, status=201))


def sent_json(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


async def test_models_are_serialised(
    create_route: respx.Route, client: mh.AsyncMindhunters
) -> None:
    await client.calls.create(
        agent_id=AGENT_ID,
        participant=mh.Participant(number=PHONE, about="Prefers mornings"),
        prompt=mh.Prompt(content="Be brief.", overwrite=True),
        message=mh.Message(start="Hi, this is Acme."),
    )
    assert sent_json(create_route) == {
        "agentId": AGENT_ID,
        "participant": {"number": PHONE, "about": "Prefers mornings"},
        "prompt": {"content": "Be brief.", "overwrite": True},
        "message": {"start": "Hi, this is Acme."},
    }


async def test_none_fields_are_left_out(
    create_route: respx.Route, client: mh.AsyncMindhunters
) -> None:
    await client.calls.create(
        agent_id=AGENT_ID,
        participant=mh.Participant(number=PHONE),
        prompt=mh.Prompt(overwrite=False),
        message=mh.Message(),
    )
    assert sent_json(create_route) == {
        "agentId": AGENT_ID,
        "participant": {"number": PHONE},
        "prompt": {"overwrite": False},
        "message": {},
    }


async def test_dicts_and_extra_options_go_in_verbatim(
    create_route: respx.Route, client: mh.AsyncMindhunters
) -> None:
    await client.calls.create(
        agent_id=AGENT_ID,
        participant={"number": PHONE, "about": None, "customKey": 1},
        prompt={"content": "Hello", "overwrite": None},
        webhookUrl="https://hooks.example/x",
        metadata={"order": 17, "tags": ["a", "b"], "note": "ünïcode"},
        record=False,
    )
    assert sent_json(create_route) == {
        "agentId": AGENT_ID,
        "participant": {"number": PHONE, "about": None, "customKey": 1},
        "prompt": {"content": "Hello", "overwrite": None},
        "webhookUrl": "https://hooks.example/x",
        "metadata": {"order": 17, "tags": ["a", "b"], "note": "ünïcode"},
        "record": False,
    }
    assert "ünïcode".encode() in create_route.calls.last.request.content


async def test_optional_sections_absent_when_not_given(
    create_route: respx.Route, client: mh.AsyncMindhunters
) -> None:
    await client.calls.create(agent_id=AGENT_ID, participant={"number": PHONE})
    assert sent_json(create_route) == {"agentId": AGENT_ID, "participant": {"number": PHONE}}


async def test_idempotency_key_is_sent_as_header(
    create_route: respx.Route, client: mh.AsyncMindhunters
) -> None:
    await client.calls.create(
        agent_id=AGENT_ID, participant={"number": PHONE}, idempotency_key="order-17-call"
    )
    request = create_route.calls.last.request
    assert request.headers["Idempotency-Key"] == "order-17-call"
    assert "idempotency_key" not in sent_json(create_route)
    assert "idempotencyKey" not in sent_json(create_route)


async def test_generated_idempotency_key_on_post_only(
    api: respx.MockRouter, create_route: respx.Route, client: mh.AsyncMindhunters
) -> None:
    await client.calls.create(agent_id=AGENT_ID, participant={"number": PHONE})
    await client.calls.create(agent_id=AGENT_ID, participant={"number": PHONE})
    first, second = (c.request.headers.get("Idempotency-Key") for c in create_route.calls)
    assert first is not None
    assert second is not None
    assert uuid.UUID(first)
    assert first != second

    get_route = api.get(CALL_PATH).mock(return_value=ok({"id": CALL_ID}))
    list_route = api.get("/calls").mock(return_value=ok([]))
    await client.calls.get(CALL_ID)
    await client.calls.list()
    assert "Idempotency-Key" not in get_route.calls.last.request.headers
    assert "Idempotency-Key" not in list_route.calls.last.request.headers


def test_datetimes_without_a_zone_are_taken_as_utc() -> None:
    from datetime import timezone

    from mindhunters_async._converter import structure

    call = structure(
        {"id": "x", "createdAt": "2024-01-15 10:30:00", "updatedAt": "2024-01-15T10:30:00+02:00"},
        mh.Call,
    )
    assert call.created_at is not None
    assert call.created_at.tzinfo is timezone.utc
    assert call.updated_at is not None
    assert call.updated_at.utcoffset() is not None
    assert call.updated_at.utcoffset().total_seconds() == 7200  # type: ignore[union-attr]
    assert call.created_at > call.updated_at  # comparable: both aware


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (["conversation_status", "intent_call"], ("conversation_status", "intent_call")),
        ([], ()),
        # Only a JSON array is a list: a string is not a list of its characters, an
        # object not a list of its keys; a bad element spoils the field, as a bad
        # value does for any optional field.
        ("conversation_status", None),
        ({"conversation_status": True}, None),
        (["conversation_status", None], None),
    ],
)
def test_a_list_field_takes_only_a_json_array(events: Any, expected: Any) -> None:
    hook = mh.AgentWebhook
    from mindhunters_async._converter import structure

    assert structure({"uuid": "w-1", "events": events}, hook).events == expected


@pytest.mark.parametrize(
    "data",
    [
        {"id": 12, "uuid": "0d9c2f6e-agent"},  # Laravel's integer id first
        {"uuid": "0d9c2f6e-agent", "id": 12},
    ],
)
def test_a_key_holding_the_fields_type_wins_over_one_converted(data: dict[str, Any]) -> None:
    from mindhunters_async._converter import structure

    assert structure(data, mh.Agent).id == "0d9c2f6e-agent"
    assert structure({"id": 12}, mh.Agent).id == "12"  # alone, it is still read


# Objects of one shape are read by a function compiled for that shape ---------------------

SHAPED = [
    {"uuid": CALL_ID, "status": "completed", "duration": 129, "createdAt": "2025-01-15T10:30:00Z"},
    {"uuid": CALL_ID, "status": 7, "duration": "long", "createdAt": "yesterday"},
    {"uuid": CALL_ID, "status": None, "duration": None, "createdAt": None},
    {"uuid": CALL_ID, "status": True, "duration": 1e400, "createdAt": 1736937000},
    {"uuid": CALL_ID, "agent": {"name": "Ava", "uuid": AGENT_ID}, "participant": {"about": "x"}},
    {"uuid": CALL_ID, "createdAt": "2025-01-15 10:30:00", "updatedAt": " 2025-01-15T10:30:00Z "},
    {"uuid": CALL_ID, "id": 7},  # two keys of one field: the loop's precedence rules
    {"status": "completed"},  # no id
    {},
]


@pytest.mark.parametrize("data", SHAPED)
def test_a_compiled_shape_reads_as_the_general_loop_does(data: dict[str, Any]) -> None:
    import types

    from mindhunters_async._converter import converter

    # A mapping that is not a dict is always read by the general loop.
    hook = converter.get_structure_hook(mh.Call)
    results = []
    for value in (data, types.MappingProxyType(data), dict(data)):  # the second dict: cached
        try:
            results.append(hook(value, mh.Call))
        except Exception as exc:
            results.append(type(exc))
    assert results[0] == results[1] == results[2]


CONTACT_SHAPES = [
    # Keys no field takes: strings and nulls are custom fields, anything else is not.
    {"uuid": CALL_ID, "name": "Ada", "tier": "Gold", "order_ref": None, "score": 7},
    # A nested object of the field's own name wins over flat keys.
    {"uuid": CALL_ID, "tier": "Gold", "custom_fields": {"tier": "Platinum", "vip": True}},
    {"uuid": CALL_ID, "tags": [{"id": 1, "name": "lead"}, {"uuid": "t2", "name": 3}]},
    {"uuid": CALL_ID, "tags": "lead"},  # not an array: dropped
    {"uuid": CALL_ID, "tags": [{"name": "no id"}]},  # an item without its id: dropped
    {"uuid": CALL_ID, "x')\nimport os\n": "an odd key", "": "empty"},
    {"id": 5, "uuid": CALL_ID, "tier": "Gold"},  # two keys of one field: the loop reads it
]


@pytest.mark.parametrize("data", CONTACT_SHAPES)
def test_a_compiled_contact_shape_reads_tags_and_custom_fields_as_the_loop_does(
    data: dict[str, Any],
) -> None:
    import types

    from mindhunters_async._converter import converter

    hook = converter.get_structure_hook(mh.Contact)
    results = [hook(value, mh.Contact) for value in (data, types.MappingProxyType(data), data)]
    assert results[0] == results[1] == results[2]


def test_custom_fields_take_unknown_text_keys_and_a_nested_object_wins() -> None:
    from mindhunters_async._converter import structure

    flat, nested, odd, tagged = (structure(CONTACT_SHAPES[i], mh.Contact) for i in (0, 1, 5, 2))
    assert flat.custom_fields == {"tier": "Gold", "order_ref": None}
    assert nested.custom_fields == {"tier": "Platinum", "vip": True}
    # A key is data, never code: it lands as it came.
    assert odd.custom_fields == {"x')\nimport os\n": "an odd key", "": "empty"}
    assert tagged.tags == (mh.ContactTag(id="1", name="lead"), mh.ContactTag(id="t2", name="3"))
    assert structure(CONTACT_SHAPES[3], mh.Contact).tags is None
    assert structure(CONTACT_SHAPES[4], mh.Contact).tags is None


def test_a_server_varying_its_keys_cannot_grow_the_shape_cache() -> None:
    from mindhunters_async._converter import _MAX_SHAPES, converter

    hook = converter.get_structure_hook(mh.CallAction)
    for i in range(5 * _MAX_SHAPES):
        assert hook({"message": "ok", f"k{i}": i}, mh.CallAction) == mh.CallAction(message="ok")
    shapes = next(
        cell.cell_contents
        for cell in hook.__closure__ or ()
        if isinstance(cell.cell_contents, dict)
        and all(isinstance(key, tuple) for key in cell.cell_contents)
    )
    assert len(shapes) <= _MAX_SHAPES


def test_once_the_shape_cache_is_full_nothing_more_is_compiled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Compiling is far dearer than reading: a full cache, or a shape with very many
    # keys, must fall back to the general loop, not compile code for every object.
    from mindhunters_async import _converter

    compiled: list[tuple[Any, ...]] = []
    real = _converter._compile_shape

    def counting(cls: type, keys: tuple[Any, ...], *rest: Any) -> Any:
        compiled.append(keys)
        return real(cls, keys, *rest)

    monkeypatch.setattr(_converter, "_compile_shape", counting)
    hook = _converter.converter.get_structure_hook(mh.Prompt)
    for i in range(_converter._MAX_SHAPES + 20):
        assert hook({"content": "hi", f"k{i}": i}, mh.Prompt) == mh.Prompt(content="hi")
    many = {f"k{i}": i for i in range(_converter._MAX_SHAPE_KEYS + 1)}
    for _ in range(3):
        assert hook({**many, "content": "hi"}, mh.Prompt) == mh.Prompt(content="hi")
    assert len(compiled) <= _converter._MAX_SHAPES
    assert all(len(keys) <= _converter._MAX_SHAPE_KEYS for keys in compiled)


def test_objects_of_a_compiled_shape_do_not_share_state() -> None:
    from mindhunters_async._converter import structure

    first, second = (structure({"uuid": CALL_ID, "status": s}, mh.Call) for s in ("a", "b"))
    assert (first.status, second.status) == ("a", "b")
    assert first.__dict__ is not second.__dict__
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        first.status = "c"  # type: ignore[misc]
