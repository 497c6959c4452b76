"""The client: settings and environment, headers, the connection pool's life, path safety."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest
import respx
from support import AGENT_ID, BASE_URL, CALL_ID, PHONE, TOKEN, ok

import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

ENV = ("MINDHUNTERS_API_TOKEN", "MINDHUNTERS_TENANT", "MINDHUNTERS_BASE_URL")
ENV_TOKEN = "env-token-123"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake() -> FakeMindhunters:
    """The API behind these tests; it accepts the test token and the environment's."""
    everything = FakeMindhunters.ALL_PERMISSIONS
    return FakeMindhunters(tokens={TOKEN: everything, ENV_TOKEN: everything})


@pytest.fixture
def call_id(fake: FakeMindhunters) -> str:
    """A call the fake knows, to read back."""
    return fake.add_call()


class ClosingTransport(httpx.MockTransport):
    """The fake's transport, remembering whether it was closed.

    Kept only for the tests of the connection pool's life, which assert `closed`:
    `fake.transport()` is a plain `httpx.MockTransport`, whose `aclose` leaves no trace.
    """

    def __init__(self, fake: FakeMindhunters) -> None:
        super().__init__(fake.handle)
        self.closed = False

    async def aclose(self) -> None:
        self.closed = True


@pytest.fixture
def closing(fake: FakeMindhunters) -> ClosingTransport:
    return ClosingTransport(fake)


def make(transport: httpx.AsyncBaseTransport | None = None, **kwargs: Any) -> mh.AsyncMindhunters:
    kwargs.setdefault("api_token", TOKEN)
    if "base_url" not in kwargs:
        kwargs.setdefault("tenant", "acme")
    return mh.AsyncMindhunters(transport=transport, **kwargs)


# --- settings and the environment -----------------------------------------------------------


async def test_environment_fallbacks(
    monkeypatch: pytest.MonkeyPatch, fake: FakeMindhunters, call_id: str
) -> None:
    monkeypatch.setenv("MINDHUNTERS_API_TOKEN", ENV_TOKEN)
    monkeypatch.setenv("MINDHUNTERS_TENANT", "envco")
    async with mh.AsyncMindhunters(transport=fake.transport()) as client:
        assert client.base_url == "https://envco.mindhunters.ai/api/v1"
        await client.calls.get(call_id)
    assert fake.requests[-1].headers["Authorization"] == "Bearer env-token-123"
    assert fake.requests[-1].url.host == "envco.mindhunters.ai"


async def test_environment_base_url(
    monkeypatch: pytest.MonkeyPatch, fake: FakeMindhunters, call_id: str
) -> None:
    monkeypatch.setenv("MINDHUNTERS_API_TOKEN", ENV_TOKEN)
    monkeypatch.setenv("MINDHUNTERS_BASE_URL", "https://acme.mihu.ai/api/v1/")
    async with mh.AsyncMindhunters(transport=fake.transport()) as client:
        assert client.base_url == "https://acme.mihu.ai/api/v1"
        await client.calls.get(call_id)
    assert str(fake.requests[-1].url) == f"https://acme.mihu.ai/api/v1/calls/{call_id}"


async def test_explicit_arguments_win_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, fake: FakeMindhunters, call_id: str
) -> None:
    monkeypatch.setenv("MINDHUNTERS_API_TOKEN", ENV_TOKEN)
    monkeypatch.setenv("MINDHUNTERS_TENANT", "envco")
    async with mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", transport=fake.transport()
    ) as client:
        assert client.base_url == BASE_URL
        await client.calls.get(call_id)
    assert fake.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_explicit_tenant_wins_over_environment_base_url(
    monkeypatch: pytest.MonkeyPatch, fake: FakeMindhunters
) -> None:
    monkeypatch.setenv("MINDHUNTERS_BASE_URL", "https://staging.example.com/api/v1")
    async with make(fake.transport()) as client:
        assert client.base_url == BASE_URL


async def test_base_url_wins_over_tenant(fake: FakeMindhunters) -> None:
    async with make(
        fake.transport(), tenant="acme", base_url="https://acme.mihu.ai/api/v1"
    ) as client:
        assert client.base_url == "https://acme.mihu.ai/api/v1"


async def test_missing_token(fake: FakeMindhunters) -> None:
    with pytest.raises(mh.ConfigurationError) as info:
        mh.AsyncMindhunters(tenant="acme", transport=fake.transport())
    assert info.value.setting == "api_token"
    assert "api_token" in str(info.value)
    assert "MINDHUNTERS_API_TOKEN" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("token", ["", "   ", "tok\nen", "tok\ren", "tok\x00en"])
async def test_unusable_token(fake: FakeMindhunters, token: str) -> None:
    with pytest.raises(mh.ConfigurationError) as info:
        make(fake.transport(), api_token=token)
    assert info.value.setting == "api_token"
    assert token.strip() == "" or token not in str(info.value)


async def test_token_whitespace_is_stripped(fake: FakeMindhunters, call_id: str) -> None:
    async with make(fake.transport(), api_token=f"  {TOKEN}\t") as client:
        await client.calls.get(call_id)
    assert fake.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_missing_tenant(monkeypatch: pytest.MonkeyPatch, fake: FakeMindhunters) -> None:
    monkeypatch.setenv("MINDHUNTERS_API_TOKEN", TOKEN)
    with pytest.raises(mh.ConfigurationError) as info:
        mh.AsyncMindhunters(transport=fake.transport())
    assert info.value.setting == "tenant"
    assert "tenant" in str(info.value)
    assert "MINDHUNTERS_TENANT" in str(info.value)
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    "tenant",
    [
        "evil.com#",
        "127.0.0.1#",
        "acme/evil",
        "acme\u3002evil",
        "acme.evil",
        "acme@evil.com",
        "acme:443",
        "acme?x=",
        "ACME",
        "Acme",
        "a" * 64,
        "-acme",
        "acme-",
        "",
        "acme\n",
        " acme",
        "\u0430cme",  # Cyrillic a
    ],
)
async def test_tenant_injection_is_refused(fake: FakeMindhunters, tenant: str) -> None:
    with pytest.raises(mh.ConfigurationError) as info:
        make(fake.transport(), tenant=tenant)
    assert info.value.setting == "tenant"


@pytest.mark.parametrize("tenant", ["a", "acme", "acme-corp", "a1", "x" * 63])
async def test_good_tenants(fake: FakeMindhunters, tenant: str) -> None:
    async with make(fake.transport(), tenant=tenant) as client:
        assert client.base_url == f"https://{tenant}.mindhunters.ai/api/v1"


@pytest.mark.parametrize(
    "base_url",
    [
        "http://acme.mindhunters.ai/api/v1",
        "http://localhost.evil.com/api/v1",
        "http://127.0.0.2/api/v1",
        "https://user:pass@acme.mindhunters.ai/api/v1",
        "https://token@acme.mindhunters.ai/api/v1",
        "https://acme.mindhunters.ai/api/v1?tenant=x",
        "https://acme.mindhunters.ai/api/v1#frag",
        "https://acme.mindhunters.ai/api/v1?",
        "https://acme.mindhunters.ai/api/v1#",
        "ftp://acme.mindhunters.ai/api/v1",
        "acme.mindhunters.ai/api/v1",
        "/api/v1",
        "https://",
        "",
    ],
)
async def test_bad_base_url_is_refused(fake: FakeMindhunters, base_url: str) -> None:
    with pytest.raises(mh.ConfigurationError) as info:
        make(fake.transport(), base_url=base_url)
    assert info.value.setting == "base_url"


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://acme.mihu.ai/api/v1", "https://acme.mihu.ai/api/v1"),
        ("https://acme.mihu.ai/api/v1/", "https://acme.mihu.ai/api/v1"),
        ("http://localhost:8000/api/v1", "http://localhost:8000/api/v1"),
        ("http://127.0.0.1:8000/api/v1", "http://127.0.0.1:8000/api/v1"),
    ],
)
async def test_good_base_urls(
    fake: FakeMindhunters, call_id: str, base_url: str, expected: str
) -> None:
    async with make(fake.transport(), base_url=base_url) as client:
        assert client.base_url == expected
        await client.calls.get(call_id)
    assert str(fake.requests[-1].url) == f"{expected}/calls/{call_id}"


# --- what goes on the wire ----------------------------------------------------------------------


async def test_repr_never_contains_the_token(fake: FakeMindhunters) -> None:
    async with make(fake.transport()) as client:
        for text in (repr(client), str(client), repr(client.with_options(max_retries=0))):
            assert TOKEN not in text
        assert "acme.mindhunters.ai" in repr(client)


async def test_headers_sent(api: respx.MockRouter) -> None:
    post = api.post("/call").mock(return_value=ok({"id": CALL_ID}, status=201))
    get = api.get(f"/calls/{CALL_ID}").mock(return_value=ok({"id": CALL_ID}))
    async with make() as client:
        await client.calls.create(agent_id=AGENT_ID, participant={"number": PHONE})
        await client.calls.get(CALL_ID)

    for route in (post, get):
        headers = route.calls.last.request.headers
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        assert headers["Accept"] == "application/json"
        assert headers["User-Agent"].startswith(f"mindhunters-async/{mh.__version__}")
        assert len(headers.get_list("Authorization")) == 1
    assert post.calls.last.request.headers["Content-Type"] == "application/json"
    assert json.loads(post.calls.last.request.content)["agentId"] == AGENT_ID
    assert "Content-Type" not in get.calls.last.request.headers
    assert get.calls.last.request.content == b""


# --- the connection pool's life -----------------------------------------------------------------


async def test_given_http_client_is_used_and_not_closed(
    fake: FakeMindhunters, call_id: str
) -> None:
    http = httpx.AsyncClient(transport=fake.transport(), headers={"X-Mine": "yes"})
    try:
        async with make(http_client=http) as client:
            await client.calls.get(call_id)
        assert fake.requests[-1].headers["X-Mine"] == "yes"
        assert fake.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"
        assert not http.is_closed
        response = await http.get(
            "https://acme.mindhunters.ai/api/v1/calls",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert response.status_code == 200
    finally:
        await http.aclose()


async def test_http_client_and_transport_are_exclusive(fake: FakeMindhunters) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(mh.ConfigurationError) as info:
            make(fake.transport(), http_client=http)
        assert info.value.setting == "transport"


async def test_own_client_is_closed_by_aclose(
    fake: FakeMindhunters, closing: ClosingTransport, call_id: str
) -> None:
    client = make(closing)
    await client.calls.get(call_id)
    assert not closing.closed
    await client.aclose()
    assert closing.closed
    with pytest.raises(mh.ClientStateError, match="closed") as info:
        await client.calls.get(call_id)
    assert "create a new one" in str(info.value)
    assert len(fake.requests) == 1
    await client.aclose()  # closing twice is harmless


async def test_async_with(fake: FakeMindhunters, closing: ClosingTransport, call_id: str) -> None:
    async with make(closing) as client:
        assert isinstance(client, mh.AsyncMindhunters)
        await client.calls.get(call_id)
    assert closing.closed
    with pytest.raises(mh.ClientStateError):
        await client.calls.get(call_id)
    with pytest.raises(mh.ClientStateError):
        async with client:
            pass
    with pytest.raises(mh.ClientStateError):
        await client.calls.list()
    assert len(fake.requests) == 1


async def test_async_with_closes_on_error(closing: ClosingTransport) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with make(closing):
            raise RuntimeError("boom")
    assert closing.closed


async def test_with_options_shares_the_pool(
    fake: FakeMindhunters, closing: ClosingTransport, call_id: str
) -> None:
    async with make(closing) as client:
        copy = client.with_options(max_retries=0, timeout=3.0)
        assert copy.retry_policy.max_retries == 0
        assert client.retry_policy.max_retries == mh.RetryPolicy().max_retries
        assert copy.base_url == client.base_url
        await copy.calls.get(call_id)
        assert fake.requests[-1].headers["Authorization"] == f"Bearer {TOKEN}"
        await copy.aclose()
        assert not closing.closed
    assert closing.closed
    with pytest.raises(mh.ClientStateError):
        await copy.calls.get(call_id)


async def test_copies_go_through_the_constructor(api: respx.MockRouter) -> None:
    class Tagged(mh.AsyncMindhunters):
        made = 0

        def __init__(self, **kwargs: Any) -> None:
            Tagged.made += 1
            super().__init__(**kwargs)

    api.get(f"/calls/{CALL_ID}").mock(return_value=ok({"id": CALL_ID}))
    async with Tagged(api_token=TOKEN, tenant="acme") as client:
        copy = client.with_options(max_response_bytes=2048)
        assert type(copy) is Tagged
        assert Tagged.made == 2
        # Each has its own resources, bound to itself.
        assert copy.calls is not client.calls
        assert copy.calls._client is copy
        assert client.copy is not None  # openai-python's name for the same
        assert (await copy.calls.get(CALL_ID)).id == CALL_ID
        with pytest.raises(mh.ConfigurationError, match="max_response_bytes"):
            client.with_options(max_response_bytes=0)


async def test_with_options_timeout_reaches_httpx(api: respx.MockRouter) -> None:
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=ok({"id": CALL_ID}))
    async with make() as client:
        await client.with_options(timeout=3.5).calls.get(CALL_ID)
        timeout = route.calls.last.request.extensions["timeout"]
        assert timeout["read"] == 3.5
        await client.calls.get(CALL_ID)
        assert route.calls.last.request.extensions["timeout"]["read"] != 3.5


async def test_closing_a_copy_leaves_the_original_usable(
    fake: FakeMindhunters, call_id: str
) -> None:
    async with make(fake.transport()) as client:
        await client.with_options(max_retries=0).aclose()
        await client.calls.get(call_id)
    assert len(fake.requests) == 1


def test_client_belongs_to_one_event_loop(fake: FakeMindhunters, call_id: str) -> None:
    client = make(fake.transport())
    errors: list[BaseException] = []

    async def use() -> None:
        await client.calls.get(call_id)

    async def use_elsewhere() -> None:
        try:
            await client.calls.get(call_id)
        except mh.ClientStateError as exc:
            errors.append(exc)
        await client.aclose()

    anyio.run(use)
    anyio.run(use_elsewhere)
    assert len(errors) == 1
    assert "event loop" in str(errors[0])
    assert len(fake.requests) == 1


# --- path parameters can never change the path or the query -------------------------------------


@pytest.fixture
def any_get(api: respx.MockRouter) -> respx.Route:
    return api.route(method="GET").mock(return_value=ok({"id": CALL_ID}))


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("a/b", "a%2Fb"),
        ("a?x=1", "a%3Fx%3D1"),
        ("a#frag", "a%23frag"),
        ("%2e%2e", "%252e%252e"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("../../admin", "%2E%2E%2F%2E%2E%2Fadmin"),
        ("..%2F..%2Fadmin", "%2E%2E%252F%2E%2E%252Fadmin"),
        ("a\\b", "a%5Cb"),
        ("a b", "a%20b"),
        ("a;b=c", "a%3Bb%3Dc"),
        ("\u00e9", "%C3%A9"),
        ("a\r\nX-Injected: 1", "a%0D%0AX-Injected%3A%201"),
    ],
)
async def test_path_params_are_one_encoded_segment(
    any_get: respx.Route, value: str, segment: str
) -> None:
    async with make(per_call=[mh.middleware.idempotency_key]) as client:
        await client.calls.get(value)
    request = any_get.calls.last.request
    assert request.url.host == "acme.mindhunters.ai"
    assert request.url.raw_path == f"/api/v1/calls/{segment}".encode()
    assert request.url.query == b""
    assert request.url.fragment == ""
    assert "X-Injected" not in request.headers
    # Decoded, the segment is exactly the value given: nothing was lost or reinterpreted.
    assert request.url.path == f"/api/v1/calls/{value}"
