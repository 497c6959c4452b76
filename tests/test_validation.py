"""Client-side validation: bad input is refused before any request is sent."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import respx
from hypothesis import example, given, settings
from hypothesis import strategies as st
from support import AGENT_ID, CALL_ID, PHONE, ok

import mindhunters_async as mh

pytestmark = pytest.mark.anyio

INVALID_FORMAT = mh.ErrorCode.INVALID_FORMAT
INVALID_UUID = mh.ErrorCode.INVALID_UUID
VALIDATION_ERROR = mh.ErrorCode.VALIDATION_ERROR

BAD_PHONES = [
    pytest.param("12345", INVALID_FORMAT, id="no-plus"),
    pytest.param("+0123", INVALID_FORMAT, id="leading-zero"),
    pytest.param("+1", INVALID_FORMAT, id="too-short"),
    pytest.param("+1234567890123456", INVALID_FORMAT, id="sixteen-digits"),
    pytest.param(PHONE + "\n", INVALID_FORMAT, id="trailing-newline"),
    pytest.param(
        "+1\u0664\u0661\u0665\u0665\u0665\u0665\u0662\u0666\u0667\u0661",
        INVALID_FORMAT,
        id="arabic-indic-digits",
    ),
    pytest.param(" " + PHONE, INVALID_FORMAT, id="leading-space"),
    pytest.param("+1 415 555 2671", INVALID_FORMAT, id="spaces"),
    pytest.param("+1-415-555-2671", INVALID_FORMAT, id="hyphens"),
    pytest.param("+\uff11\uff14\uff11\uff15", INVALID_FORMAT, id="fullwidth-digits"),
    pytest.param(14155552671, INVALID_FORMAT, id="int"),
    pytest.param(None, VALIDATION_ERROR, id="none"),
    pytest.param("", VALIDATION_ERROR, id="empty"),
]

BAD_UUIDS = [
    pytest.param("{" + AGENT_ID + "}", INVALID_UUID, id="braces"),
    pytest.param("urn:uuid:" + AGENT_ID, INVALID_UUID, id="urn"),
    pytest.param(AGENT_ID.replace("-", ""), INVALID_UUID, id="unhyphenated"),
    pytest.param("../../admin", INVALID_UUID, id="path-traversal"),
    pytest.param(AGENT_ID[:-1] + "g", INVALID_UUID, id="non-hex"),
    pytest.param(AGENT_ID + "\n", INVALID_UUID, id="trailing-newline"),
    pytest.param(" " + AGENT_ID, INVALID_UUID, id="leading-space"),
    pytest.param(AGENT_ID + "/../x", INVALID_UUID, id="suffix"),
    pytest.param(12345, INVALID_UUID, id="int"),
    pytest.param("", VALIDATION_ERROR, id="empty"),
]


@pytest.fixture
def routes(api: respx.MockRouter) -> respx.MockRouter:
    """Every endpoint answered, so that a request that slips through is seen, not refused."""
    api.post("/call").mock(return_value=ok({"id": CALL_ID}, status=201))
    api.get(path__regex=r"/calls/.*").mock(return_value=ok({"id": CALL_ID}))
    api.get("/calls").mock(return_value=ok([]))
    return api


def check(
    err: mh.RequestValidationError, field: str, code: mh.ErrorCode, api: respx.MockRouter
) -> None:
    assert err.field == field
    assert err.code is code
    assert isinstance(err.details, str)
    assert err.details
    assert field in str(err)
    assert isinstance(err, ValueError)
    assert isinstance(err, mh.MindhuntersError)
    assert not isinstance(err, mh.APIError)
    assert api.calls.call_count == 0


@pytest.mark.parametrize(("number", "code"), BAD_PHONES)
async def test_bad_phone_number_is_refused_before_sending(
    routes: respx.MockRouter, client: mh.AsyncMindhunters, number: Any, code: mh.ErrorCode
) -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        await client.calls.create(agent_id=AGENT_ID, participant={"number": number})
    check(info.value, "participant.number", code, routes)
    if code is INVALID_FORMAT:
        assert "E.164" in info.value.details
    else:
        assert "required" in info.value.details
    assert info.value.user_message == "Please check the phone number format"


async def test_bad_phone_number_in_a_participant_model(
    routes: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        await client.calls.create(agent_id=AGENT_ID, participant=mh.Participant(number="555-1234"))
    check(info.value, "participant.number", INVALID_FORMAT, routes)


@pytest.mark.parametrize(
    "participant", [{}, {"about": "no number"}, None, "+14155552671"], ids=repr
)
async def test_missing_participant_number(
    routes: respx.MockRouter, client: mh.AsyncMindhunters, participant: Any
) -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        await client.calls.create(agent_id=AGENT_ID, participant=participant)
    check(info.value, "participant.number", VALIDATION_ERROR, routes)


@pytest.mark.parametrize(("agent_id", "code"), [*BAD_UUIDS, pytest.param(None, VALIDATION_ERROR)])
async def test_bad_agent_id_on_create(
    routes: respx.MockRouter, client: mh.AsyncMindhunters, agent_id: Any, code: mh.ErrorCode
) -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        await client.calls.create(agent_id=agent_id, participant={"number": PHONE})
    check(info.value, "agentId", code, routes)


@pytest.mark.parametrize(("call_id", "code"), BAD_UUIDS)
async def test_bad_call_id(
    routes: respx.MockRouter, client: mh.AsyncMindhunters, call_id: Any, code: mh.ErrorCode
) -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        await client.calls.get(call_id)
    check(info.value, "call_id", code, routes)


@pytest.mark.parametrize(("agent_id", "code"), BAD_UUIDS)
async def test_bad_agent_id_list_filter(
    routes: respx.MockRouter, client: mh.AsyncMindhunters, agent_id: Any, code: mh.ErrorCode
) -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        await client.calls.list(agent_id=agent_id)
    check(info.value, "agent_id", code, routes)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("per_page", 0),
        ("per_page", -1),
        ("per_page", 101),
        ("per_page", True),
        ("per_page", "10"),
        ("per_page", 1.5),
        ("page", 0),
        ("page", -3),
        ("page", "2"),
    ],
)
async def test_bad_paging_numbers(
    routes: respx.MockRouter, client: mh.AsyncMindhunters, field: str, value: Any
) -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        await client.calls.list(**{field: value})
    check(info.value, field, VALIDATION_ERROR, routes)


async def test_iterating_a_list_with_bad_filters_sends_nothing(
    routes: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        async for _ in client.calls.list(per_page=500):
            pass
    check(info.value, "per_page", VALIDATION_ERROR, routes)


async def test_uuid_objects_are_accepted_and_sent_as_strings(
    routes: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    agent, call = uuid.UUID(AGENT_ID), uuid.UUID(CALL_ID)

    await client.calls.create(agent_id=agent, participant={"number": PHONE})
    sent = routes.calls.last.request
    assert json.loads(sent.content) == {"agentId": AGENT_ID, "participant": {"number": PHONE}}

    await client.calls.get(call)
    assert routes.calls.last.request.url.path == f"/api/v1/calls/{CALL_ID}"

    await client.calls.list(agent_id=agent)
    assert routes.calls.last.request.url.params["agent_id"] == AGENT_ID
    assert routes.calls.call_count == 3


async def test_valid_input_is_sent(routes: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    upper = AGENT_ID.upper()
    await client.calls.create(agent_id=upper, participant={"number": "+12"})
    assert json.loads(routes.calls.last.request.content)["agentId"] == upper
    await client.calls.list(per_page=100, page=7)
    assert routes.calls.last.request.url.params["per_page"] == "100"
    assert routes.calls.last.request.url.params["page"] == "7"


# --- the exported validators ---------------------------------------------------------------------


def test_validate_e164_returns_the_number() -> None:
    assert mh.validate_e164(PHONE) == PHONE
    assert mh.validate_e164("+123456789012345") == "+123456789012345"


def test_validate_e164_errors() -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        mh.validate_e164("0044 20 7946 0958", "phone")
    assert info.value.field == "phone"
    assert info.value.code is INVALID_FORMAT
    with pytest.raises(mh.RequestValidationError) as info:
        mh.validate_e164(None, "phone")
    assert info.value.code is VALIDATION_ERROR


def test_validate_e164_bounds_the_value_it_shows() -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        mh.validate_e164("x" * 100_000)
    assert len(str(info.value)) < 400


def test_validate_uuid_returns_a_string() -> None:
    assert mh.validate_uuid(uuid.UUID(AGENT_ID)) == AGENT_ID
    assert type(mh.validate_uuid(uuid.UUID(AGENT_ID))) is str
    assert mh.validate_uuid(AGENT_ID) == AGENT_ID


def test_validate_uuid_errors() -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        mh.validate_uuid("{" + AGENT_ID + "}", "agent_uuid")
    assert info.value.field == "agent_uuid"
    assert info.value.code is INVALID_UUID
    assert "agent_uuid" in info.value.details
    with pytest.raises(mh.RequestValidationError) as info:
        mh.validate_uuid("", "agent_uuid")
    assert info.value.code is VALIDATION_ERROR


@pytest.mark.parametrize("value", [None, 14155552671, b"+14155552671", ["+14155552671"]])
def test_is_e164_refuses_non_strings(value: Any) -> None:
    assert mh.is_e164(value) is False


def test_is_uuid_accepts_uuid_objects_and_refuses_other_types() -> None:
    assert mh.is_uuid(uuid.UUID(AGENT_ID)) is True
    assert mh.is_uuid(AGENT_ID.encode()) is False
    assert mh.is_uuid(None) is False
    assert mh.is_uuid(uuid.UUID(AGENT_ID).int) is False


# --- property tests against independent oracles (no regular expressions) -----------------------

ASCII_DIGITS = "0123456789"
HEX = "0123456789abcdefABCDEF"


def e164_oracle(s: str) -> bool:
    if not 3 <= len(s) <= 16 or s[0] != "+":
        return False
    digits = s[1:]
    return digits[0] != "0" and all(ch in ASCII_DIGITS for ch in digits)


def uuid_oracle(s: str) -> bool:
    if len(s) != 36:
        return False
    for i, ch in enumerate(s):
        if i in (8, 13, 18, 23):
            if ch != "-":
                return False
        elif ch not in HEX:
            return False
    return True


phone_like = st.one_of(
    st.from_regex(r"\+[1-9][0-9]{1,14}", fullmatch=True),
    st.text(
        alphabet=st.sampled_from(
            [*"+0123456789 -()\n\t", "\u0664", "\u0661", "\uff11", "\u00b2", "\u0966"]
        ),
        max_size=18,
    ),
    st.text(max_size=20),
)


@settings(max_examples=400, database=None)
@given(phone_like)
@example("+12")
@example("+123456789012345")
@example("+1234567890123456")
@example("+14155552671\n")
@example("+01")
@example("+")
@example("+1\u0664")
def test_is_e164_matches_oracle(s: str) -> None:
    assert mh.is_e164(s) is e164_oracle(s)
    if e164_oracle(s):
        assert mh.validate_e164(s) == s
    else:
        with pytest.raises(mh.RequestValidationError):
            mh.validate_e164(s)


def _mutate(text: str, index: int, char: str) -> str:
    index %= len(text)
    return text[:index] + char + text[index + 1 :]


uuid_like = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: u.hex),
    st.uuids().map(lambda u: "{" + str(u) + "}"),
    st.uuids().map(lambda u: u.urn),
    st.builds(_mutate, st.uuids().map(str), st.integers(0, 35), st.characters()),
    st.builds(lambda u, extra: str(u) + extra, st.uuids(), st.text(min_size=1, max_size=2)),
    st.text(alphabet=st.sampled_from([*HEX, *"-{}: g\n", "\u0664"]), min_size=30, max_size=40),
    st.text(max_size=40),
)


@settings(max_examples=400, database=None)
@given(uuid_like)
@example(AGENT_ID)
@example(AGENT_ID.upper())
@example(AGENT_ID + "\n")
@example("00000000-0000-0000-0000-000000000000")
def test_is_uuid_matches_oracle(s: str) -> None:
    accepted = mh.is_uuid(s)
    assert accepted is uuid_oracle(s)
    if accepted:
        # Whatever is accepted is a UUID that Python reads back to the same value.
        assert str(uuid.UUID(s)) == s.lower()
        assert mh.validate_uuid(s) == s
    else:
        with pytest.raises(mh.RequestValidationError):
            mh.validate_uuid(s)


def test_a_refused_phone_number_is_not_copied_into_the_error() -> None:
    # Phone numbers are personal data; error text ends up in logs.
    with pytest.raises(mh.RequestValidationError) as info:
        mh.validate_e164("+44 20 7946 0958", "participant.number")
    assert "7946" not in str(info.value)
    assert "16 characters" in info.value.details
