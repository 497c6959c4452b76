"""Where the token may go, and what a misbehaving peer or caller gets back."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
import anyio.abc
import anyio.streams.tls
import httpx
import pytest
import respx
from support import AGENT_ID, CALL_ID, PHONE, SERVICE_UNAVAILABLE, TOKEN, ok

import mindhunters_async as mh

pytestmark = pytest.mark.anyio


# Redirects -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize(
    "location",
    ["https://evil.example/api/v1/calls", "https://acme.mindhunters.ai/api/v1/elsewhere"],
)
async def test_redirects_are_never_followed(
    api: respx.MockRouter, client: mh.AsyncMindhunters, status: int, location: str
) -> None:
    api.get(f"/calls/{CALL_ID}").mock(
        return_value=httpx.Response(status, headers={"location": location})
    )
    evil = respx.get(url__startswith="https://evil.example/").mock(
        return_value=ok({"id": "stolen"})
    )
    elsewhere = api.get("/elsewhere").mock(return_value=httpx.Response(200))
    with pytest.raises(mh.APIStatusError) as info:
        await client.calls.get(CALL_ID)
    assert info.value.status_code == status
    assert "does not follow redirects" in str(info.value)
    assert location in str(info.value)
    assert not evil.called
    assert not elsewhere.called


async def test_a_callers_http_client_that_follows_redirects_is_not_obeyed() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(301, headers={"location": "https://evil.example/steal"})

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(handler), follow_redirects=True
    ) as http_client:
        client = mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", http_client=http_client)
        with pytest.raises(mh.APIStatusError):
            await client.calls.get(CALL_ID)
        await client.aclose()
    assert seen == [f"https://acme.mindhunters.ai/api/v1/calls/{CALL_ID}"]


# Event loops, closing, garbage collection ---------------------------------------------


def test_one_client_two_event_loops_is_a_clear_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return ok({"id": CALL_ID})

    client = mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", transport=httpx.MockTransport(handler)
    )

    async def use() -> mh.Call:
        return await client.calls.get(CALL_ID)

    assert anyio.run(use).id == CALL_ID
    with pytest.raises(mh.ClientStateError, match="another event loop"):
        anyio.run(use)
    with pytest.raises(mh.ClientStateError, match="another event loop"):
        anyio.run(use, backend="trio")
    anyio.run(client.aclose)


async def test_an_unclosed_client_warns_without_running_anything_async() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return ok({"id": CALL_ID})

    client = mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", transport=httpx.MockTransport(handler)
    )
    await client.calls.get(CALL_ID)
    del client
    with pytest.warns(ResourceWarning, match="never closed"):
        gc.collect()


async def test_a_client_never_used_or_closed_does_not_warn() -> None:
    client = mh.AsyncMindhunters(api_token=TOKEN, tenant="acme")
    assert "acme" in repr(client)
    del client
    gc.collect()  # filterwarnings=error turns any ResourceWarning into a failure


# Mid-body failures over a real socket ---------------------------------------------------

Reply = Callable[[anyio.abc.SocketStream], Awaitable[None]]


async def read_request(stream: anyio.abc.SocketStream) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += await stream.receive()
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
            while len(body) < length:
                body += await stream.receive()
    return head


@contextlib.asynccontextmanager
async def serve(reply: Reply) -> AsyncIterator[str]:
    """A raw HTTP/1.1 peer on 127.0.0.1 that answers every request with `reply`."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def handle(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            try:
                await read_request(stream)
                await reply(stream)
            except (anyio.BrokenResourceError, anyio.EndOfStream, anyio.ClosedResourceError):
                pass

    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        yield f"http://127.0.0.1:{port}/api/v1"
        tg.cancel_scope.cancel()


async def cut_after_headers(stream: anyio.abc.SocketStream) -> None:
    await stream.send(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        b'{"data": {"id"'
    )


async def truncated_chunked(stream: anyio.abc.SocketStream) -> None:
    await stream.send(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'10\r\n{"data": {"id": \r\n'
    )


async def invalid_utf8(stream: anyio.abc.SocketStream) -> None:
    body = b'{"data": {"id": "\xff\xfe"}}'
    await stream.send(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


async def no_reply(stream: anyio.abc.SocketStream) -> None:
    return


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (cut_after_headers, mh.APIConnectionError),
        (truncated_chunked, mh.APIConnectionError),
        (no_reply, mh.APIConnectionError),
        (invalid_utf8, mh.ResponseDecodeError),
    ],
    ids=["reset-after-headers", "truncated-chunked", "closed-without-reply", "invalid-utf8"],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_mid_body_failures_become_sdk_errors(
    reply: Reply, error: type[mh.MindhuntersError], method: str
) -> None:
    delays: list[float] = []

    async def sleep(delay: float) -> None:
        delays.append(delay)

    async with (
        serve(reply) as base_url,
        mh.AsyncMindhunters(
            api_token=TOKEN, base_url=base_url, retry=mh.RetryPolicy(sleep=sleep)
        ) as client,
    ):
        operation = (
            client.calls.get(CALL_ID)
            if method == "GET"
            else client.calls.create(agent_id=AGENT_ID, participant={"number": PHONE})
        )
        with pytest.raises(mh.MindhuntersError) as info:
            await operation
    err = info.value
    assert type(err) is error
    assert not isinstance(err.__cause__, mh.MindhuntersError)
    if error is mh.APIConnectionError:
        assert isinstance(err.__cause__, httpx.HTTPError)
        # The request reached the server: a GET is retried, a POST is not (and says why).
        assert len(delays) == (2 if method == "GET" else 0)
        assert err.outcome_unknown is (method == "POST")


# The token in logs, reprs and errors ---------------------------------------------------


@pytest.mark.parametrize("over_socket", [False, True], ids=["mock-transport", "socket"])
async def test_the_token_appears_nowhere_across_every_kind_of_failure(
    caplog: pytest.LogCaptureFixture, over_socket: bool
) -> None:
    from mindhunters_async.testing import FakeMindhunters, Fault

    token = "tok-" + "S3cr3t" * 6
    fake = FakeMindhunters(tokens={token: FakeMindhunters.ALL_PERMISSIONS})
    seen: list[str] = []

    async def spy(
        request: mh.middleware.Request, call_next: mh.middleware.CallNext
    ) -> httpx.Response:
        seen.append(repr(request))
        seen.append(repr(request.headers))
        seen.append(repr(request.options))
        return await call_next(request)

    async def no_wait(seconds: float) -> None:
        await anyio.lowlevel.checkpoint()

    failures = [
        lambda: fake.fail(Fault.RATE_LIMIT_EXCEEDED, times=3, retry_after=1),
        lambda: fake.fail(Fault.INTERNAL_SERVER_ERROR, route="POST /call"),
        lambda: fake.fail(Fault.BAD_GATEWAY_HTML, times=3),
        lambda: fake.fail(Fault.SERVICE_UNAVAILABLE, times=3),
        lambda: fake.fail(Fault.CONNECT_ERROR, times=3),
        lambda: fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT, route="POST /call"),
        lambda: None,
    ]
    errors: list[BaseException] = []
    caplog.set_level("DEBUG")  # every logger: the SDK's, httpx's and httpcore's
    with contextlib.ExitStack() as stack:
        if over_socket:
            base_url = stack.enter_context(fake.serve())
            kwargs: dict[str, object] = {"base_url": base_url}
        else:
            kwargs = {"base_url": fake.DEFAULT_BASE_URL, "transport": fake.transport()}
        async with mh.AsyncMindhunters(
            api_token=token,
            middleware=[spy],
            retry=mh.RetryPolicy(sleep=no_wait, deadline=30),
            max_response_bytes=200,
            **kwargs,  # type: ignore[arg-type]
        ) as client:
            seen.append(repr(client))
            operations = [
                lambda: client.calls.create(
                    agent_id=fake.DEFAULT_AGENT_ID, participant={"number": PHONE}
                ),
                lambda: client.calls.get(CALL_ID),  # 404
                lambda: client.calls.list(per_page=100),  # too large for the cap once calls exist
                lambda: client.calls.create(agent_id=AGENT_ID, participant={"number": "+1"}),
            ]
            for inject in failures:
                for operation in operations:
                    inject()
                    try:
                        await operation()
                    except mh.MindhuntersError as exc:
                        errors.append(exc)
                    fake.clear_faults()
        fake.tokens.clear()  # 401 from now on
        async with mh.AsyncMindhunters(api_token=token, **kwargs) as client:  # type: ignore[arg-type]
            with pytest.raises(mh.AuthenticationError) as info:
                await client.calls.get(CALL_ID)
            errors.append(info.value)

    kinds = {type(e).__name__ for e in errors}
    assert {
        "RateLimitError",
        "InternalServerError",
        "BadGatewayError",
        "ServiceUnavailableError",
        "APIConnectionError",
        "NotFoundError",
        "RequestValidationError",
        "AuthenticationError",
        "ResponseDecodeError",
    } <= kinds, kinds
    texts = seen + [str(e) for e in errors] + [repr(e) for e in errors]
    for record in caplog.records:
        texts.append(caplog.handler.format(record))
        texts.extend(repr(value) for value in vars(record).values())
    assert len(caplog.records) > 20
    leaks = [text for text in texts if "S3cr3t" in text]
    assert leaks == []


# Careless callers ------------------------------------------------------------------------


@pytest.mark.parametrize("key", [123, "", "clé", "a\nb", "x" * 256], ids=repr)
async def test_a_bad_idempotency_key_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, key: object
) -> None:
    route = api.post("/call")
    with pytest.raises(mh.RequestValidationError) as info:
        await client.calls.create(
            agent_id=AGENT_ID,
            participant={"number": PHONE},
            idempotency_key=key,  # type: ignore[arg-type]
        )
    assert info.value.field == "idempotency_key"
    assert not route.called


@pytest.mark.parametrize(
    "settings",
    [
        {"api_token": "sécret-token"},
        {"api_token": "token\twith\ttabs"},
        {"max_response_bytes": "1"},
        {"max_response_bytes": 0},
        {"max_retries": -1},
        {"max_retries": "2"},
    ],
    ids=repr,
)
def test_bad_settings_are_refused_at_construction(settings: dict[str, object]) -> None:
    with pytest.raises(mh.ConfigurationError):
        mh.AsyncMindhunters(**{"api_token": TOKEN, "tenant": "acme", **settings})  # type: ignore[arg-type]


async def test_a_copy_with_another_budget_gets_its_own_bucket(
    api: respx.MockRouter,
) -> None:
    async def no_wait(seconds: float) -> None:
        await anyio.lowlevel.checkpoint()

    route = api.get(f"/calls/{CALL_ID}").mock(return_value=SERVICE_UNAVAILABLE.response())
    async with mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", retry=mh.RetryPolicy(sleep=no_wait)
    ) as client:
        small = mh.RetryPolicy(sleep=no_wait, max_retries=5, budget=mh.RetryBudget(capacity=5))
        with pytest.raises(mh.ServiceUnavailableError):
            await client.with_options(retry=small).calls.get(CALL_ID)
        assert route.call_count == 2  # one retry emptied the copy's 5-token bucket
        with pytest.raises(mh.ServiceUnavailableError):
            await client.calls.get(CALL_ID)
        assert route.call_count == 5  # the original's 500 tokens were untouched


# Real sockets: TLS, and the pool after failures -----------------------------------------


async def test_a_real_certificate_failure_is_not_retried() -> None:
    import ssl

    import trustme

    # A server whose certificate no client trusts (an untrusted CA, as a
    # man in the middle would present): the handshake fails on the client.
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(server_context)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    handshakes = 0

    async def handle(stream: anyio.abc.SocketStream) -> None:
        nonlocal handshakes
        handshakes += 1
        async with stream:
            with contextlib.suppress(Exception):
                tls = await anyio.streams.tls.TLSStream.wrap(
                    stream, server_side=True, ssl_context=server_context
                )
                await tls.receive()

    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, handle)
        async with mh.AsyncMindhunters(
            api_token=TOKEN,
            base_url=f"https://127.0.0.1:{port}/api/v1",
            retry=mh.RetryPolicy(sleep=sleep),
        ) as client:
            with pytest.raises(mh.APIConnectionError) as info:
                await client.calls.get(CALL_ID)
        group.cancel_scope.cancel()
    assert "TLS certificate" in str(info.value)
    assert delays == []
    assert handshakes == 1


async def test_no_connection_is_left_busy_after_any_sequence_of_failures() -> None:
    from mindhunters_async._httpx import pool_connections
    from mindhunters_async.testing import FakeMindhunters, Fault

    async def no_wait(seconds: float) -> None:
        await anyio.lowlevel.checkpoint()

    fake = FakeMindhunters()
    failures = [
        Fault.SERVICE_UNAVAILABLE,
        Fault.BAD_GATEWAY_HTML,
        Fault.READ_TIMEOUT,
        Fault.INTERNAL_SERVER_ERROR,
        Fault.RATE_LIMIT_EXCEEDED,
    ]
    with fake.serve() as base_url:
        async with mh.AsyncMindhunters(
            api_token=fake.DEFAULT_TOKEN,
            base_url=base_url,
            retry=mh.RetryPolicy(sleep=no_wait, budget=None),
            max_response_bytes=300,  # and some replies are over the cap
        ) as client:
            for fault in failures:
                fake.add_call()
                fake.fail(fault, times=4)

                async def one() -> None:
                    with contextlib.suppress(mh.MindhuntersError):
                        await client.calls.list()

                async with anyio.create_task_group() as group:
                    for _ in range(10):
                        group.start_soon(one)
                fake.clear_faults()
            # Every connection is usable again: a full pool's worth of calls succeeds
            # at once (a connection left busy, or a request left in httpcore's queue,
            # would make these wait forever)...
            roomy = client.with_options(max_response_bytes=1_000_000)

            async def list_calls() -> None:
                await roomy.calls.list()

            with anyio.fail_after(10):
                async with anyio.create_task_group() as group:
                    for _ in range(100):
                        group.start_soon(list_calls)
            # ...and httpcore's own view of its pool, through the SDK's one module
            # of httpx internals, agrees.
            connections = pool_connections(client._shared.http_client)
            assert connections
            assert [c for c in connections if not c.is_idle() and not c.is_closed()] == []
            assert len(fake.requests) > 50
