"""transcriptions: the streamed multipart upload (its shape, its retries, its memory over a
real socket on both transports), the size and field checks, the transcript, and the fake."""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import io
import json
import logging
import re
import tracemalloc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx
import pytest
import respx
from anyio.abc import SocketStream
from support import BASE_URL, TOKEN, RecordingSleep, api_error, ok

import mindhunters_async as mh
from mindhunters_async._models.transcriptions import (
    Transcript,
    TranscriptConversation,
    Transcription,
    TranscriptMessage,
)
from mindhunters_async._resources.transcriptions import CHUNK, MAX_AUDIO_BYTES
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

JOB_ID = "550e8400-e29b-41d4-a716-446655440000"
QA_AGENT = "153580ac-af27-4c77-aa59-02e9f9b8fe1a"
HOOK = "https://hooks.example.com/transcripts"
SECRET = "whk-7f3a9c1e5b2d4f60"
ACCEPTED = {"uuid": JOB_ID, "reference_id": "CALL-12345", "status": "pending"}
AUDIO = bytes(range(256)) * 4000  # ~1 MiB, several chunks, every byte value


def form_of(request: httpx.Request) -> tuple[dict[str, str], dict[str, Any]]:
    """The text fields of a multipart/form-data request, and its parts by name."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.content)
    values: dict[str, str] = {}
    parts: dict[str, Any] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        parts[name] = part
        payload = part.get_payload(decode=True)
        if part.get_filename() is None and isinstance(payload, bytes):
            values[name] = payload.decode()
    return values, parts


def answered(route: respx.Route) -> list[httpx.Request]:
    return [call.request for call in route.calls]


@pytest.fixture
def audio_file(tmp_path: Path) -> Path:
    path = tmp_path / "call-42.wav"
    path.write_bytes(AUDIO)
    return path


class Reader:
    """An async file object with `read` only: its size is unknown until read."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0
        self.reads = 0

    async def read(self, size: int = -1) -> bytes:
        self.reads += 1
        end = len(self.data) if size < 0 else self.offset + size
        chunk = self.data[self.offset : end]
        self.offset += len(chunk)
        return chunk


# The request, field by field ------------------------------------------------------------


async def test_create_posts_a_multipart_form_with_the_audio(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/transcriptions").mock(return_value=ok(ACCEPTED, status=201))
    job = await client.transcriptions.create(
        audio=AUDIO,
        webhook_url=HOOK,
        webhook_header_token=SECRET,
        reference_id="CALL-12345",
        possible_language="en",
        qa_agent_uuid=QA_AGENT,
        evaluate=True,
        extra_body={"tags": ["a", "b"]},
    )
    assert job == Transcription(id=JOB_ID, reference_id="CALL-12345", status="pending")
    (request,) = answered(route)
    assert request.method == "POST"
    assert request.url.path == "/api/v1/transcriptions"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert int(request.headers["content-length"]) == len(request.content)
    assert "transfer-encoding" not in request.headers
    values, parts = form_of(request)
    assert values == {
        "possible_language": "en",
        "reference_id": "CALL-12345",
        "webhook_url": HOOK,
        "webhook_header_token": SECRET,
        "qa_agent_uuid": QA_AGENT,
        "evaluate": "1",
        "tags": '["a","b"]',
    }
    voice = parts["voice_file"]
    assert voice.get_filename() == "audio"
    assert voice.get_content_type() == "application/octet-stream"
    assert voice.get_payload(decode=True) == AUDIO


async def test_a_path_is_sent_with_its_name_and_type(
    api: respx.MockRouter, client: mh.AsyncMindhunters, audio_file: Path
) -> None:
    route = api.post("/transcriptions").mock(return_value=ok(ACCEPTED, status=201))
    await client.transcriptions.create(audio=audio_file)
    await client.transcriptions.create(
        audio=str(audio_file), filename="x.mp3", content_type="audio/mpeg"
    )
    first, second = (form_of(request)[1]["voice_file"] for request in answered(route))
    assert first.get_filename() == "call-42.wav"
    assert first.get_content_type() in ("audio/wav", "audio/x-wav")
    assert first.get_payload(decode=True) == AUDIO
    assert (second.get_filename(), second.get_content_type()) == ("x.mp3", "audio/mpeg")
    assert second.get_payload(decode=True) == AUDIO


async def test_an_async_file_is_sent_from_where_it_stands(
    api: respx.MockRouter, client: mh.AsyncMindhunters, audio_file: Path
) -> None:
    route = api.post("/transcriptions").mock(return_value=ok(ACCEPTED, status=201))
    async with await anyio.open_file(audio_file, "rb") as file:
        await file.seek(1000)
        await client.transcriptions.create(audio=file)
    (request,) = answered(route)
    voice = form_of(request)[1]["voice_file"]
    assert voice.get_filename() == "call-42.wav"
    assert voice.get_payload(decode=True) == AUDIO[1000:]
    # Its size was known from seeking: a Content-Length, not a chunked body.
    assert int(request.headers["content-length"]) == len(request.content)


async def test_a_file_object_without_seek_is_sent_chunked(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/transcriptions").mock(return_value=ok(ACCEPTED, status=201))
    reader = Reader(AUDIO)
    await client.transcriptions.create(audio=reader, voice_url=None)
    (request,) = answered(route)
    assert request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in request.headers
    assert form_of(request)[1]["voice_file"].get_payload(decode=True) == AUDIO
    assert reader.reads == len(AUDIO) // CHUNK + 2  # the chunks, then the end


async def test_voice_url_instead_of_audio_sends_a_form_without_a_file(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/transcriptions").mock(return_value=ok(ACCEPTED, status=201))
    await client.transcriptions.create(voice_url="https://cdn.example.com/a.mp3")
    (request,) = answered(route)
    values, parts = form_of(request)
    assert values == {"voice_url": "https://cdn.example.com/a.mp3"}
    assert "voice_file" not in parts
    assert int(request.headers["content-length"]) == len(request.content)


# Retries: the whole body again, or not at all ------------------------------------------


@pytest.mark.parametrize("kind", ["bytes", "path", "async file"])
async def test_a_retry_sends_the_whole_body_again(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    sleeps: RecordingSleep,
    audio_file: Path,
    kind: str,
) -> None:
    # A 429 on a POST is retried (the server did not act): the body must go again whole.
    route = api.post("/transcriptions").mock(
        side_effect=[api_error(429, "RATE_LIMIT_EXCEEDED").response(), ok(ACCEPTED, status=201)]
    )
    async with await anyio.open_file(audio_file, "rb") as file:
        audio: Any = {"bytes": AUDIO, "path": audio_file, "async file": file}[kind]
        job = await client.transcriptions.create(audio=audio)
    assert job.id == JOB_ID
    first, second = answered(route)
    assert first.content == second.content
    assert form_of(second)[1]["voice_file"].get_payload(decode=True) == AUDIO
    assert len(sleeps.delays) == 1


async def test_a_connect_error_resends_a_path_from_its_start(
    api: respx.MockRouter, client: mh.AsyncMindhunters, audio_file: Path
) -> None:
    route = api.post("/transcriptions").mock(
        side_effect=[httpx.ConnectError("refused"), ok(ACCEPTED, status=201)]
    )
    await client.transcriptions.create(audio=audio_file)
    assert route.call_count == 2
    assert form_of(route.calls.last.request)[1]["voice_file"].get_payload(decode=True) == AUDIO


async def test_a_file_object_that_cannot_seek_is_never_retried(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/transcriptions").mock(
        side_effect=[api_error(429, "RATE_LIMIT_EXCEEDED").response(), ok(ACCEPTED, status=201)]
    )
    with pytest.raises(mh.RateLimitError) as info:
        await client.transcriptions.create(audio=Reader(AUDIO))
    assert route.call_count == 1
    assert info.value.outcome is not None
    assert info.value.outcome.attempts == 1
    # The client's own policy is unchanged for the next call.
    assert client.retry_policy.max_retries > 0


async def test_a_file_object_that_grows_past_max_bytes_is_cut_short(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/transcriptions").mock(return_value=ok(ACCEPTED, status=201))
    with pytest.raises(mh.RequestValidationError) as info:
        await client.transcriptions.create(audio=Reader(AUDIO), max_bytes=len(AUDIO) - 1)
    assert info.value.field == "audio"
    assert "max_bytes" in str(info.value)
    assert not route.called


async def test_a_file_that_shrinks_while_sent_is_an_error(
    api: respx.MockRouter, audio_file: Path
) -> None:
    # Its size was taken before sending; a file cut short since cannot fill the
    # Content-Length announced, and must not leave the server waiting for the rest.
    async def shrink(request: mh.middleware.Request, call_next: Any) -> httpx.Response:
        await anyio.Path(audio_file).write_bytes(AUDIO[:100])
        return await call_next(request)  # type: ignore[no-any-return]

    api.post("/transcriptions").mock(return_value=ok(ACCEPTED, status=201))
    async with mh.AsyncMindhunters(api_token=TOKEN, base_url=BASE_URL, middleware=[shrink]) as c:
        with pytest.raises(mh.RequestValidationError, match="short of its size") as info:
            await c.transcriptions.create(audio=audio_file)
    assert info.value.field == "audio"


async def test_a_file_that_grows_while_sent_is_an_error(
    api: respx.MockRouter, audio_file: Path
) -> None:
    # Content-Length was its size when checked: a recording still being written
    # would otherwise be cut off there without a word.
    async def grow(request: mh.middleware.Request, call_next: Any) -> httpx.Response:
        await anyio.Path(audio_file).write_bytes(AUDIO + b"more")
        return await call_next(request)  # type: ignore[no-any-return]

    api.post("/transcriptions").mock(return_value=ok(ACCEPTED, status=201))
    async with mh.AsyncMindhunters(api_token=TOKEN, base_url=BASE_URL, middleware=[grow]) as c:
        with pytest.raises(mh.RequestValidationError, match="grew while sent") as info:
            await c.transcriptions.create(audio=audio_file)
    assert info.value.field == "audio"


# Checks before sending ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"audio": b""}, "audio", "empty"),
        ({"audio": AUDIO, "max_bytes": 1000}, "audio", "more than max_bytes=1000"),
        ({"audio": Reader(b"")}, "audio", "empty"),
        ({"audio": "/no/such/file.wav"}, "audio", "cannot read"),
        ({"audio": 42}, "audio", "a path, bytes or an async file object"),
        ({"audio": io.BytesIO(AUDIO)}, "audio", "synchronous file object"),
        ({}, "audio", "or voice_url"),
        ({"audio": AUDIO, "voice_url": "https://a.example/x.mp3"}, "audio", "or voice_url"),
        ({"audio": AUDIO, "max_bytes": 0}, "max_bytes", "positive"),
        ({"audio": AUDIO, "webhook_url": "http://hooks.example.com"}, "webhook_url", "https"),
        ({"audio": AUDIO, "webhook_header_token": SECRET}, "webhook_header_token", "webhook_url"),
        ({"audio": AUDIO, "qa_agent_uuid": "qa-1"}, "qa_agent_uuid", "UUID"),
        ({"audio": AUDIO, "possible_language": "english-us!"}, "possible_language", "10"),
        ({"voice_url": "ftp://a.example/x.mp3"}, "voice_url", "http"),
    ],
)
async def test_the_upload_is_checked_before_anything_is_sent(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    options: dict[str, Any],
    field: str,
    words: str,
) -> None:
    route = api.post("/transcriptions").mock(return_value=ok(ACCEPTED, status=201))
    with pytest.raises(mh.RequestValidationError) as info:
        await client.transcriptions.create(**options)
    assert info.value.field == field
    assert words in str(info.value)
    assert not route.called


async def test_a_directory_is_not_audio(
    api: respx.MockRouter, client: mh.AsyncMindhunters, tmp_path: Path
) -> None:
    route = api.post("/transcriptions").mock(return_value=ok(ACCEPTED, status=201))
    with pytest.raises(mh.RequestValidationError, match="not a file"):
        await client.transcriptions.create(audio=tmp_path)
    assert not route.called


async def test_the_webhook_token_stays_out_of_reprs_logs_and_errors(
    api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    async def look(request: mh.middleware.Request, call_next: Any) -> httpx.Response:
        seen.extend([repr(request), repr(request.upload), repr(request.options)])
        return await call_next(request)  # type: ignore[no-any-return]

    route = api.post("/transcriptions").mock(
        return_value=api_error(422, "VALIDATION_ERROR", "bad", field="reference_id").response()
    )
    caplog.set_level(logging.DEBUG, logger="mindhunters_async")
    async with mh.AsyncMindhunters(api_token=TOKEN, base_url=BASE_URL, middleware=[look]) as c:
        with pytest.raises(mh.UnprocessableEntityError) as info:
            await c.transcriptions.create(
                audio=AUDIO, webhook_url=HOOK, webhook_header_token=SECRET
            )
        with pytest.raises(mh.RequestValidationError) as refused:
            await c.transcriptions.create(audio=AUDIO, webhook_header_token=SECRET)
    assert SECRET.encode() in route.calls.last.request.content  # sent, as the API needs
    assert "webhook_header_token" in seen[1]  # named, not shown
    ticket = info.value.support_info()
    shown = [
        *seen,
        str(info.value),
        repr(info.value),
        str(refused.value),
        caplog.text,
        str(ticket),
        repr(ticket.as_dict()),
    ]
    assert caplog.records
    assert not [text for text in shown if SECRET in text]
    # The form is not shown at all in a support ticket: it holds the file too.
    assert ticket.as_dict()["request_body"] == "(a multipart/form-data body, not shown)"


# A body larger than memory would like, over a real socket -------------------------------


class CountingServer:
    """A bare HTTP/1.1 server on 127.0.0.1: reads a request's body and throws it away,
    counting bytes (Content-Length or chunked), then answers 201."""

    def __init__(self) -> None:
        self.received = 0
        self.head = b""
        self.start = b""
        self.end = b""

    async def handle(self, stream: SocketStream) -> None:
        with contextlib.suppress(anyio.EndOfStream):  # a client that gave up
            await self._serve(stream)

    async def _serve(self, stream: SocketStream) -> None:
        async with stream:
            data = b""
            while b"\r\n\r\n" not in data:
                data += await stream.receive()
            self.head, _, rest = data.partition(b"\r\n\r\n")
            match = re.search(rb"(?im)^content-length:\s*(\d+)", self.head)
            # Chunked: read until the client gives up (the tests that send one expect it to).
            expected = int(match.group(1)) if match else 1 << 62
            self.start = rest[:2048]
            self.received = len(rest)
            tail = rest[-64:]
            while self.received < expected:
                chunk = await stream.receive(1 << 16)
                self.received += len(chunk)
                if len(self.start) < 2048:
                    self.start += chunk[: 2048 - len(self.start)]
                tail = (tail + chunk)[-64:]
            self.end = tail
            body = json.dumps({"success": True, "data": ACCEPTED}).encode()
            await stream.send(
                b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )


@asynccontextmanager
async def counting_server() -> AsyncIterator[tuple[CountingServer, str]]:
    server = CountingServer()
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tasks:
        tasks.start_soon(listener.serve, server.handle)
        try:
            yield server, f"http://127.0.0.1:{port}/api/v1"
        finally:
            tasks.cancel_scope.cancel()


async def test_128_mib_are_streamed_over_a_socket_in_bounded_memory(
    tmp_path: Path, anyio_backend: str
) -> None:
    path = tmp_path / "long-call.wav"
    with path.open("wb") as file:
        file.truncate(MAX_AUDIO_BYTES)  # sparse: no disk, no memory
    # aiohttp runs on asyncio only; httpx on both.
    backends: list[Literal["httpx", "aiohttp"]] = ["httpx"]
    if anyio_backend == "asyncio":
        backends.append("aiohttp")
    for backend in backends:
        async with (
            counting_server() as (server, base_url),
            mh.AsyncMindhunters(
                api_token=TOKEN, base_url=base_url, http_backend=backend, timeout=30
            ) as client,
        ):
            tracemalloc.start()
            try:
                job = await client.transcriptions.create(audio=path, webhook_url=HOOK)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        assert job.id == JOB_ID
        declared = re.search(rb"(?im)^content-length:\s*(\d+)", server.head)
        assert declared is not None
        length = int(declared.group(1))
        assert server.received == length > MAX_AUDIO_BYTES
        assert b'name="voice_file"; filename="long-call.wav"' in server.start
        assert server.end.endswith(b"--\r\n")
        assert peak < 8 * 1024 * 1024, (backend, peak)


@pytest.mark.parametrize("failure", ["shrinks", "grows past max_bytes"])
async def test_an_upload_that_fails_midway_says_why_on_both_transports(
    tmp_path: Path, anyio_backend: str, failure: str
) -> None:
    path = tmp_path / "call.wav"
    await anyio.Path(path).write_bytes(AUDIO)

    async def shrink(request: mh.middleware.Request, call_next: Any) -> httpx.Response:
        if failure == "shrinks":
            await anyio.Path(path).write_bytes(AUDIO[:100])
        return await call_next(request)  # type: ignore[no-any-return]

    backends: list[Literal["httpx", "aiohttp"]] = ["httpx"]
    if anyio_backend == "asyncio":
        backends.append("aiohttp")
    for backend in backends:
        await anyio.Path(path).write_bytes(AUDIO)
        async with (
            counting_server() as (_, base_url),
            mh.AsyncMindhunters(
                api_token=TOKEN, base_url=base_url, http_backend=backend, middleware=[shrink]
            ) as client,
        ):
            if failure == "shrinks":
                audio: Any = path
                limit = MAX_AUDIO_BYTES
            else:
                audio, limit = Reader(AUDIO), len(AUDIO) - 1
            with pytest.raises(mh.RequestValidationError) as info:
                await client.transcriptions.create(audio=audio, max_bytes=limit)
            assert info.value.field == "audio"
            words = "short of its size" if failure == "shrinks" else "larger than max_bytes"
            assert words in str(info.value), backend
            # The connection it was cut from is not left stranded.
            assert (await client.transcriptions.create(audio=b"RIFF")).id == JOB_ID


async def test_an_upload_body_iterates_without_an_async_generator(audio_file: Path) -> None:
    from mindhunters_async import _httpx
    from mindhunters_async._resources.transcriptions import _audio, _Form

    form = _Form({"reference_id": "R-1"}, await _audio(audio_file, MAX_AUDIO_BYTES), None, None)
    stream = form.open()
    request = httpx.Request("POST", "https://x.test/", content=stream)
    _httpx.use_upload_stream(request, stream)
    assert isinstance(request.stream, httpx.AsyncByteStream)
    body = request.stream.__aiter__()
    assert not hasattr(body, "asend")  # a plain object, not an async generator: nothing to abandon
    first = await body.__anext__()
    assert first.startswith(b"--")
    assert b'name="reference_id"' in first
    await body.__anext__()  # the file part's head, then the file
    await body.__anext__()
    file = stream._chunks.file  # type: ignore[attr-defined]
    assert not file.closed
    _httpx.close_upload_stream(request)  # what the Sender does after every attempt
    assert file.closed
    assert form.length == len(b"".join([chunk async for chunk in form.open()]))


# The transcript -------------------------------------------------------------------------


async def test_transcript_gets_the_messages_and_evaluations(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    answer = {
        "id": JOB_ID,
        "status": "completed",
        "conversation": {
            "id": QA_AGENT,
            "plain": "Customer: Hello",
            "messages": [{"role": "Customer", "content": "Hello, I need help", "at": 1}],
        },
        "session": {"id": QA_AGENT, "type": "voice"},
        "evaluations": {"sentiment": {"value": "Positive"}},
        "processed_at": "2023-11-07T05:31:56Z",
        "timestamp": 123,
        "unknown": True,
    }
    route = api.get(f"/transcriptions/{JOB_ID}/transcript").mock(return_value=ok(answer))
    transcript = await client.transcriptions.transcript(JOB_ID)
    assert route.calls.last.request.url.query == b""
    assert isinstance(transcript, Transcript)
    assert transcript.id == JOB_ID
    assert transcript.status == "completed"
    assert transcript.messages[0] == TranscriptMessage(
        role="Customer", content="Hello, I need help"
    )
    assert transcript.evaluations == {"sentiment": {"value": "Positive"}}
    assert transcript.timestamp == 123
    assert Transcript(id="x").messages == ()


async def test_transcript_checks_the_id_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.route(url__regex=r".*/transcriptions/.*").mock(return_value=ok({}))
    with pytest.raises(mh.RequestValidationError) as info:
        await client.transcriptions.transcript("job-1")
    assert info.value.field == "transcription_id"
    assert not route.called


# Against the fake -----------------------------------------------------------------------


async def test_the_fake_takes_the_upload_and_serves_its_transcript(audio_file: Path) -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        job = await client.transcriptions.create(
            audio=audio_file, webhook_url=HOOK, webhook_header_token=SECRET, reference_id="R-1"
        )
        assert job.status == "pending"
        record = fake.records("transcriptions")[job.id]
        assert record["_voice_file"]["size"] == len(AUDIO)
        assert record["_voice_file"]["filename"] == "call-42.wav"
        assert record["_webhook_header_token"] == SECRET
        transcript = await client.transcriptions.transcript(job.id)
        assert (transcript.id, transcript.reference_id) == (job.id, "R-1")
        assert transcript.messages == ()

        done = fake.add_record(
            "transcriptions",
            status="completed",
            conversation={"plain": "hi", "messages": [{"role": "Agent", "content": "hi"}]},
            evaluations={"success": {"value": "yes"}},
        )
        transcript = await client.transcriptions.transcript(done)
        assert transcript.conversation == TranscriptConversation(
            plain="hi", messages=(TranscriptMessage(role="Agent", content="hi"),)
        )
        with pytest.raises(mh.NotFoundError):
            await client.transcriptions.transcript(JOB_ID)


async def test_the_fake_refuses_a_form_without_audio() -> None:
    fake = FakeMindhunters()
    headers = {"Authorization": f"Bearer {FakeMindhunters.DEFAULT_TOKEN}"}
    async with httpx.AsyncClient(transport=fake.transport()) as http:
        url = FakeMindhunters.DEFAULT_BASE_URL + "/transcriptions"
        missing = await http.post(
            url, data={"reference_id": "R-1"}, files={"x": b"1"}, headers=headers
        )
        as_json = await http.post(url, json={"voice_url": HOOK}, headers=headers)
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "voice_file"
    assert as_json.status_code == 400
    assert not fake.records("transcriptions")
