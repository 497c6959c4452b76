"""Middleware: where yours runs, what it sees, and how the built-ins are removed or reordered."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
import respx
from support import (
    AGENT_ID,
    CALL_ID,
    CALL_PATH,
    INTERNAL_SERVER_ERROR,
    PHONE,
    SERVICE_UNAVAILABLE,
    TOKEN,
    RecordingSleep,
    not_found,
    ok,
)

import mindhunters_async as mh
from mindhunters_async.middleware import (
    PER_ATTEMPT,
    PER_CALL,
    CallNext,
    Request,
    auth,
    decode_errors,
    idempotency_key,
    log,
)

pytestmark = pytest.mark.anyio

A_CALL = {"id": CALL_ID}
NOT_FOUND = not_found("Call", CALL_ID)


class Recorder:
    """A middleware that records what it sees of each attempt."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.authorization: list[str | None] = []
        self.reprs: list[str] = []
        self.statuses: list[int] = []
        self.contexts: list[dict[str, Any]] = []

    async def __call__(self, request: Request, call_next: CallNext) -> httpx.Response:
        self.requests.append(request)
        self.authorization.append(request.headers.get("Authorization"))
        self.reprs.extend([repr(request), repr(request.headers), str(request)])
        self.contexts.append(dict(request.context))
        response = await call_next(request)
        self.statuses.append(response.status_code)
        return response


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def build(sleeps: RecordingSleep) -> AsyncIterator[Any]:
    """Build clients of the test tenant with fast retries; they are closed at the end."""
    made: list[mh.AsyncMindhunters] = []

    def factory(**kwargs: Any) -> mh.AsyncMindhunters:
        client = mh.AsyncMindhunters(
            api_token=TOKEN, tenant="acme", retry=mh.RetryPolicy(sleep=sleeps), **kwargs
        )
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


async def test_user_middleware_runs_once_per_attempt(
    api: respx.MockRouter, build: Any, recorder: Recorder, sleeps: RecordingSleep
) -> None:
    api.get(CALL_PATH).mock(side_effect=[SERVICE_UNAVAILABLE.response(), ok(A_CALL)])
    client = build(middleware=[recorder])
    call = await client.calls.get(CALL_ID)
    assert call.id == CALL_ID
    assert len(recorder.requests) == 2
    assert [r.attempt for r in recorder.requests] == [1, 2]
    assert recorder.statuses == [503, 200]
    assert len(sleeps.delays) == 1


async def test_user_middleware_runs_after_the_built_ins(
    api: respx.MockRouter, build: Any, recorder: Recorder
) -> None:
    api.get(CALL_PATH).mock(return_value=NOT_FOUND.response())
    client = build(middleware=[recorder])
    with pytest.raises(mh.NotFoundError):
        await client.calls.get(CALL_ID)
    # auth ran before it: the header is set...
    assert recorder.authorization == [f"Bearer {TOKEN}"]
    # ...but no repr shows the token.
    assert recorder.reprs
    for text in recorder.reprs:
        assert TOKEN not in text
    # decode_errors runs outside it: it sees the raw 404 response.
    assert recorder.statuses == [404]


async def test_user_middleware_can_add_headers(api: respx.MockRouter, build: Any) -> None:
    route = api.get(CALL_PATH).mock(return_value=ok(A_CALL))

    async def tag(request: Request, call_next: CallNext) -> httpx.Response:
        request.headers["X-Team"] = "billing"
        return await call_next(request)

    await build(middleware=[tag]).calls.get(CALL_ID)
    assert route.calls.last.request.headers["X-Team"] == "billing"
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_user_middleware_runs_in_order(api: respx.MockRouter, build: Any) -> None:
    route = api.get(CALL_PATH).mock(return_value=ok(A_CALL))
    order: list[str] = []

    def named(name: str) -> Any:
        async def mw(request: Request, call_next: CallNext) -> httpx.Response:
            order.append(name)
            request.headers["X-Order"] = ",".join(order)
            return await call_next(request)

        return mw

    await build(middleware=[named("first"), named("second")]).calls.get(CALL_ID)
    assert order == ["first", "second"]
    assert route.calls.last.request.headers["X-Order"] == "first,second"


async def test_user_middleware_can_short_circuit(api: respx.MockRouter, build: Any) -> None:
    route = api.get(CALL_PATH).mock(return_value=INTERNAL_SERVER_ERROR.response())

    async def cached(request: Request, call_next: CallNext) -> httpx.Response:
        return ok({"id": CALL_ID, "status": "x"})

    call = await build(middleware=[cached]).calls.get(CALL_ID)
    assert call == mh.Call(id=CALL_ID, status="x")
    assert route.call_count == 0


async def test_user_middleware_can_short_circuit_with_an_error(
    api: respx.MockRouter, build: Any
) -> None:
    route = api.get(CALL_PATH).mock(return_value=ok(A_CALL))

    async def breaker(request: Request, call_next: CallNext) -> httpx.Response:
        return httpx.Response(503, json={"message": "circuit open"})

    client = build(middleware=[breaker]).with_options(max_retries=0)
    with pytest.raises(mh.ServiceUnavailableError, match="circuit open"):
        await client.calls.get(CALL_ID)
    assert route.call_count == 0


async def test_user_middleware_exception_propagates(api: respx.MockRouter, build: Any) -> None:
    route = api.get(CALL_PATH).mock(return_value=ok(A_CALL))

    async def refuse(request: Request, call_next: CallNext) -> httpx.Response:
        raise PermissionError("not during business hours")

    with pytest.raises(PermissionError, match="business hours"):
        await build(middleware=[refuse]).calls.get(CALL_ID)
    assert route.call_count == 0


# --- per_call / per_attempt ------------------------------------------------------------------


async def test_without_validate_a_bad_phone_number_reaches_the_server(
    api: respx.MockRouter, build: Any
) -> None:
    route = api.post("/call").mock(return_value=ok(A_CALL, status=201))
    client = build(per_call=[idempotency_key])
    await client.calls.create(agent_id="not-a-uuid", participant={"number": "12345"})
    assert route.call_count == 1
    assert json.loads(route.calls.last.request.content) == {
        "agentId": "not-a-uuid",
        "participant": {"number": "12345"},
    }
    assert "Idempotency-Key" in route.calls.last.request.headers


async def test_without_idempotency_key_no_key_is_sent(api: respx.MockRouter, build: Any) -> None:
    route = api.post("/call").mock(return_value=ok(A_CALL, status=201))
    await build(per_call=[mh.middleware.validate]).calls.create(
        agent_id=AGENT_ID, participant={"number": PHONE}
    )
    assert "Idempotency-Key" not in route.calls.last.request.headers
    # validate is still there.
    with pytest.raises(mh.RequestValidationError):
        await build(per_call=[mh.middleware.validate]).calls.create(
            agent_id=AGENT_ID, participant={"number": "12345"}
        )
    assert route.call_count == 1


async def test_without_auth_no_token_is_sent(api: respx.MockRouter, build: Any) -> None:
    route = api.get(CALL_PATH).mock(return_value=ok(A_CALL))
    await build(per_attempt=[log, decode_errors]).calls.get(CALL_ID)
    assert "Authorization" not in route.calls.last.request.headers


async def test_reordered_user_middleware_before_auth_sees_no_token(
    api: respx.MockRouter, build: Any, recorder: Recorder
) -> None:
    route = api.get(CALL_PATH).mock(return_value=ok(A_CALL))
    await build(per_attempt=[log, decode_errors, recorder, auth]).calls.get(CALL_ID)
    assert recorder.authorization == [None]
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_middleware_outside_decode_errors_sees_the_typed_error(
    api: respx.MockRouter, build: Any
) -> None:
    api.get(CALL_PATH).mock(return_value=NOT_FOUND.response())
    caught: list[BaseException] = []

    async def watcher(request: Request, call_next: CallNext) -> httpx.Response:
        try:
            return await call_next(request)
        except mh.APIStatusError as exc:
            caught.append(exc)
            raise

    with pytest.raises(mh.NotFoundError):
        await build(per_attempt=[watcher, *PER_ATTEMPT]).calls.get(CALL_ID)
    assert len(caught) == 1
    assert isinstance(caught[0], mh.NotFoundError)


async def test_middleware_sees_an_unreadable_success_like_any_failure(
    api: respx.MockRouter, build: Any
) -> None:
    # Decoding into the model happens inside the pipeline: a 200 without a call id
    # reaches a watcher as a typed error, the way a 404 does above.
    api.get(CALL_PATH).mock(return_value=ok({"name": "no id"}))
    caught: list[BaseException] = []
    results: list[Any] = []

    async def watcher(request: Request, call_next: CallNext) -> httpx.Response:
        try:
            response = await call_next(request)
        except mh.APIError as exc:
            caught.append(exc)
            raise
        results.append(response.extensions[mh.middleware.RESULT])
        return response

    with pytest.raises(mh.ResponseDecodeError) as info:
        await build(per_attempt=[watcher, *PER_ATTEMPT]).calls.get(CALL_ID)
    assert caught == [info.value]
    assert info.value.status_code == 200
    assert info.value.request is not None
    assert "GET /api/v1/calls/" in str(info.value)
    assert "does not describe a Call" in str(info.value)

    api.get(CALL_PATH).mock(return_value=ok(A_CALL))
    call = await build(per_attempt=[watcher, *PER_ATTEMPT]).calls.get(CALL_ID)
    assert results == [call]  # the decoded model, as the caller gets it


async def test_per_call_middleware_runs_once_per_call(
    api: respx.MockRouter, build: Any, recorder: Recorder, sleeps: RecordingSleep
) -> None:
    api.get(CALL_PATH).mock(
        side_effect=[SERVICE_UNAVAILABLE.response(), SERVICE_UNAVAILABLE.response(), ok(A_CALL)]
    )
    client = build(per_call=[*PER_CALL, recorder])
    await client.calls.get(CALL_ID)
    assert len(recorder.requests) == 1
    # It runs outside the retry layer: it sees the final response only.
    assert recorder.statuses == [200]
    assert len(sleeps.delays) == 2


async def test_context_is_carried_from_per_call_into_attempts(
    api: respx.MockRouter, build: Any, recorder: Recorder
) -> None:
    api.get(CALL_PATH).mock(side_effect=[SERVICE_UNAVAILABLE.response(), ok(A_CALL)])

    async def set_trace(request: Request, call_next: CallNext) -> httpx.Response:
        request.context["trace_id"] = "trace-42"
        return await call_next(request)

    async def scribble(request: Request, call_next: CallNext) -> httpx.Response:
        request.context[f"attempt-{request.attempt}"] = True
        return await call_next(request)

    client = build(per_call=[*PER_CALL, set_trace], middleware=[recorder, scribble])
    await client.calls.get(CALL_ID)
    # Every attempt sees the per-call context; what one attempt adds does not leak into the next.
    assert recorder.contexts == [{"trace_id": "trace-42"}, {"trace_id": "trace-42"}]


async def test_attempt_headers_do_not_leak_into_the_next_attempt(
    api: respx.MockRouter, build: Any
) -> None:
    route = api.get(CALL_PATH).mock(side_effect=[SERVICE_UNAVAILABLE.response(), ok(A_CALL)])

    async def once_only(request: Request, call_next: CallNext) -> httpx.Response:
        if request.attempt == 1:
            request.headers["X-First"] = "1"
        return await call_next(request)

    await build(middleware=[once_only]).calls.get(CALL_ID)
    first, second = (c.request for c in route.calls)
    assert first.headers.get("X-First") == "1"
    assert "X-First" not in second.headers
    assert len(second.headers.get_list("Authorization")) == 1


async def test_request_repr_never_contains_the_token(
    api: respx.MockRouter, build: Any, recorder: Recorder
) -> None:
    api.post("/call").mock(return_value=ok(A_CALL, status=201))
    await build(middleware=[recorder]).calls.create(
        agent_id=AGENT_ID, participant={"number": PHONE}
    )
    (request,) = recorder.requests
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    for text in (repr(request), str(request), repr(request.options), repr(request.headers)):
        assert TOKEN not in text
    assert "POST" in repr(request)
    assert "/call" in repr(request)


def test_default_lists_are_what_the_docs_say() -> None:
    chain: Sequence[Any] = (*PER_CALL, *PER_ATTEMPT)
    assert chain == (mh.middleware.validate, idempotency_key, log, decode_errors, auth)


def test_idempotency_keys_are_random_version_4_uuids() -> None:
    import uuid

    from mindhunters_async.middleware._idempotency import new_key

    keys = [new_key() for _ in range(2000)]
    assert len(set(keys)) == len(keys)
    for key in keys:
        parsed = uuid.UUID(key)
        assert str(parsed) == key  # lower-case, hyphenated, as uuid4() prints
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
    # Every variant nibble (8, 9, a, b) and every hex digit elsewhere turns up.
    assert {key[19] for key in keys} == set("89ab")
    assert set("".join(keys).replace("-", "")) == set("0123456789abcdef")
