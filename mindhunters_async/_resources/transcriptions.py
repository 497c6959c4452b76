"""client.transcriptions: audio uploaded for transcription and evaluation, and the transcripts.

The audio goes up as multipart/form-data, streamed: `_Form` is the request's
`Upload` (see `_pipeline.Upload`), which gives the I/O boundary a fresh pass over
the body for every attempt, `CHUNK` bytes at a time, so an upload of the API's
largest size costs a few chunks of memory, not its size.
"""

from __future__ import annotations

import inspect
import json
import mimetypes
import os
import stat
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final, Protocol, Union

import anyio
import anyio.to_thread

from .._converter import decoder
from .._exceptions import ErrorCode, RequestValidationError
from .._models.transcriptions import Transcript, Transcription
from .._pipeline import Endpoint, UploadStream
from .._validators import check_https_url as _https_url
from .._validators import check_web_url as _web_url
from .._validators import validate_uuid
from ._base import Resource, uuid_path

__all__ = ["MAX_AUDIO_BYTES", "AsyncReadable", "AudioSource", "Transcriptions"]

# Checked by the method itself, before the upload is built: the validation
# middleware reads JSON bodies, and this one is a form.
CREATE = Endpoint("transcriptions.create", "POST", "/transcriptions")
TRANSCRIPT = Endpoint(
    "transcriptions.transcript",
    "GET",
    "/transcriptions/{transcription_id}/transcript",
    rules=uuid_path("transcription_id"),
)

MAX_AUDIO_BYTES: Final = 128 * 1024 * 1024
"""The API's documented limit for `voice_file` ("max 128MB"), checked before sending."""

CHUNK: Final = 256 * 1024
"""Bytes read and sent at a time: large enough that a 128 MiB upload is a few hundred
reads (each a hop to a worker thread for a path), small enough to stay a rounding
error in memory."""

_FILE_FIELD: Final = "voice_file"
# The documented text fields and their maximum lengths (None: no maximum documented).
_MAX_LENGTHS: Final = {
    "possible_language": 10,
    "reference_id": 255,
    "email": 255,
    "customer_phone": 255,
    "customer_email": 255,
}


class AsyncReadable(Protocol):
    """An async file object: `anyio.open_file(...)`, aiofiles, or anything with
    `async read(n)`. With `seek` and `tell` (async) its size is known up front and a
    retry can send it again; without them it is sent once, chunked."""

    async def read(self, size: int = ..., /) -> bytes: ...


AudioSource = Union[str, "os.PathLike[str]", bytes, AsyncReadable]
"""A path, the bytes themselves, or an async file object (`AsyncReadable`)."""


def _invalid(field: str, details: str) -> RequestValidationError:
    return RequestValidationError(field, ErrorCode.VALIDATION_ERROR, details)


async def _call(method: Any, *args: Any) -> Any:
    result = method(*args)
    return await result if inspect.isawaitable(result) else result


# Sources: where the audio's bytes come from, one pass per attempt ------------------------


class _Chunks:
    """A pass over `length` bytes that a subclass reads; raises if the source runs
    short of the length announced in Content-Length (it changed while being sent)."""

    __slots__ = ("left",)

    def __init__(self, length: int | None) -> None:
        self.left = length

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        left = self.left
        if left == 0:
            # Content-Length promised the size checked before sending: a file that
            # grew since (a recording still being written) would be cut off unseen.
            grew = await self.read(1)
            self.close()
            if grew:
                raise _invalid("audio", "the audio grew while sent: send it once it is complete")
            raise StopAsyncIteration
        chunk = await self.read(CHUNK if left is None else min(CHUNK, left))
        if not chunk:
            self.close()
            if left is None:
                raise StopAsyncIteration
            raise _invalid(
                "audio", f"the audio ended {left} bytes short of its size: it changed while sent"
            )
        if left is not None:
            self.left = left - len(chunk)
        return chunk

    async def read(self, size: int) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the pass holds; nothing by default."""


class _BytesChunks(_Chunks):
    __slots__ = ("data", "offset")

    def __init__(self, data: bytes) -> None:
        super().__init__(len(data))
        self.data = memoryview(data)
        self.offset = 0

    async def read(self, size: int) -> bytes:
        start = self.offset
        self.offset = start + size
        return bytes(self.data[start : start + size])


class _PathChunks(_Chunks):
    """The file at `path`, opened on the first read (a pass that never starts holds
    nothing) and read in a worker thread, so a slow disk does not stall the loop."""

    __slots__ = ("file", "path")

    def __init__(self, path: str, length: int) -> None:
        super().__init__(length)
        self.path = path
        self.file: Any = None

    async def read(self, size: int) -> bytes:
        if self.file is None:
            self.file = await anyio.to_thread.run_sync(open, self.path, "rb")
        data: bytes = await anyio.to_thread.run_sync(self.file.read, size)
        return data

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class _FileChunks(_Chunks):
    """An async file object: from `start` again on each pass when it can seek, else
    once, after the chunk read to check it was not empty, up to `limit` bytes."""

    __slots__ = ("file", "first", "limit", "sent", "start")

    def __init__(
        self, file: Any, start: int | None, length: int | None, first: bytes, limit: int
    ) -> None:
        super().__init__(length)
        self.file = file
        self.start = start
        self.first: bytes | None = first or None
        self.limit = limit
        self.sent = 0

    async def read(self, size: int) -> bytes:
        if self.start is not None:
            await _call(self.file.seek, self.start)
            self.start = None
        first = self.first
        if first is not None:
            self.first = None
            data = first
        else:
            data = bytes(await self.file.read(size))
        self.sent += len(data)
        if self.sent > self.limit:
            raise _invalid(
                "audio", f"the audio is larger than max_bytes={self.limit}: not sent whole"
            )
        return data


class _Audio:
    """The file part's source: its size (None when unknown), and how to read it."""

    __slots__ = ("data", "file", "first", "limit", "name", "path", "size", "start")

    def __init__(self) -> None:
        self.data: bytes | None = None
        self.path: str | None = None
        self.file: Any = None
        self.start: int | None = None
        self.first = b""
        self.size: int | None = None
        self.limit = MAX_AUDIO_BYTES
        self.name = "audio"

    @property
    def replayable(self) -> bool:
        return self.file is None or self.start is not None

    def open(self) -> _Chunks:
        if self.data is not None:
            return _BytesChunks(self.data)
        if self.path is not None:
            assert self.size is not None
            return _PathChunks(self.path, self.size)
        return _FileChunks(self.file, self.start, self.size, self.first, self.limit)


async def _audio(source: Any, limit: int) -> _Audio:
    """Where the audio comes from, its size checked (not empty, at most `limit`)
    without reading it: a stat for a path, a seek for a file object."""
    audio = _Audio()
    audio.limit = limit
    if isinstance(source, (bytes, bytearray, memoryview)):
        audio.data = bytes(source)
        audio.size = len(audio.data)
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            info = await anyio.Path(path).stat()
        except OSError as exc:
            raise _invalid(
                "audio", f"cannot read the audio file {path!r}: {exc.strerror}"
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise _invalid("audio", f"the audio path {path!r} is not a file")
        audio.path, audio.size, audio.name = path, info.st_size, os.path.basename(path)
    elif callable(getattr(source, "read", None)):
        if not inspect.iscoroutinefunction(source.read):
            # Reading it would block the event loop, and awaiting its bytes fails
            # once part of the request is already on the wire.
            raise _invalid(
                "audio",
                f"audio is a synchronous file object ({type(source).__name__}): pass its"
                " path, its bytes, or an async file (anyio.open_file, aiofiles)",
            )
        audio.file = source
        name = getattr(source, "name", None)
        if isinstance(name, (str, os.PathLike)):
            audio.name = os.path.basename(os.fspath(name))
        if callable(getattr(source, "seek", None)) and callable(getattr(source, "tell", None)):
            start = int(await _call(source.tell))
            end = int(await _call(source.seek, 0, os.SEEK_END))
            await _call(source.seek, start)
            audio.start, audio.size = start, max(0, end - start)
        else:
            # Its size is unknown until read: one chunk now says it is not empty.
            audio.first = bytes(await source.read(CHUNK))
            if not audio.first:
                audio.size = 0
    else:
        raise _invalid(
            "audio",
            f"audio must be a path, bytes or an async file object, got {type(source).__name__}",
        )
    if audio.size == 0:
        raise _invalid("audio", "the audio is empty: nothing to transcribe")
    if audio.size is not None and audio.size > limit:
        raise _invalid(
            "audio",
            f"the audio is {audio.size} bytes, more than max_bytes={limit} (the API takes"
            " at most 128 MiB): split it, or pass a link to it as voice_url",
        )
    return audio


# The form ----------------------------------------------------------------------------


def _quoted(value: str) -> str:
    # As browsers (and httpx) write form parameters: a quote or a line break
    # cannot end the header early.
    return "".join(
        "%22" if c == '"' else "\\\\" if c == "\\" else f"%{ord(c):02X}" if ord(c) < 32 else c
        for c in value
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"  # what Laravel's `boolean` rule accepts in a form
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, separators=(",", ":"), default=str)
    return str(value)


class _Form:
    """The multipart/form-data body: text fields, then the audio, streamed (an `Upload`).

    Its repr names the fields only: one of them is the webhook's bearer token.
    """

    __slots__ = ("_audio", "_head", "_names", "_tail", "content_type", "length")

    def __init__(
        self,
        values: Mapping[str, Any],
        audio: _Audio | None,
        filename: str | None,
        content_type: str | None,
    ) -> None:
        boundary = os.urandom(16).hex()
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self._names = tuple(values)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'
            f"{_text(value)}\r\n".encode()
            for name, value in values.items()
        ]
        self._audio = audio
        if audio is not None:
            name = filename or audio.name
            kind = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{_FILE_FIELD}";'
                f' filename="{_quoted(name)}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
            )
            self._tail = f"\r\n--{boundary}--\r\n".encode()
        else:
            self._tail = f"--{boundary}--\r\n".encode()
        self._head = b"".join(parts)
        size = 0 if audio is None else audio.size
        self.length = None if size is None else len(self._head) + size + len(self._tail)

    @property
    def replayable(self) -> bool:
        return self._audio is None or self._audio.replayable

    def open(self) -> UploadStream:
        return _Pass(self._head, None if self._audio is None else self._audio.open(), self._tail)

    def __repr__(self) -> str:
        audio = self._audio
        shown = "" if audio is None else f" {_FILE_FIELD}={audio.name!r} ({audio.size} bytes)"
        return f"<multipart form{shown} fields={list(self._names)}>"


class _Pass:
    """One attempt's pass over the form: the head, the audio's chunks, the tail."""

    __slots__ = ("_chunks", "_head", "_tail")

    def __init__(self, head: bytes, chunks: _Chunks | None, tail: bytes) -> None:
        self._head: bytes | None = head
        self._chunks = chunks
        self._tail: bytes | None = tail

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        head = self._head
        if head is not None:
            self._head = None
            return head
        chunks = self._chunks
        if chunks is not None:
            try:
                return await chunks.__anext__()
            except StopAsyncIteration:
                self._chunks = None
        tail = self._tail
        if tail is None:
            raise StopAsyncIteration
        self._tail = None
        return tail

    def close(self) -> None:
        if self._chunks is not None:
            self._chunks.close()


# Checks ------------------------------------------------------------------------------


def _check_fields(values: Mapping[str, Any], token: str | None) -> None:
    if "webhook_url" in values:
        _https_url(values["webhook_url"], "webhook_url")
    for name in ("voice_url", "customer_voice_url"):
        if name in values:
            _web_url(values[name], name)
    for name in ("qa_agent_uuid", "coaching_agent_uuid"):
        if name in values:
            validate_uuid(values[name], name)
    for name, most in _MAX_LENGTHS.items():
        value = values.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > most):
            raise _invalid(name, f"{name} must be a string of at most {most} characters")
    if token is not None:
        # Never echoed: it is the bearer token of the caller's own webhook.
        if not isinstance(token, str) or not token or not token.isprintable():
            raise _invalid("webhook_header_token", "webhook_header_token must be non-empty text")
        if "webhook_url" not in values:
            raise _invalid(
                "webhook_header_token",
                "webhook_header_token is sent to webhook_url: pass webhook_url too",
            )


class Transcriptions(Resource):
    """Audio sent for transcription and evaluation (`create`), and the transcripts
    (`transcript`)."""

    __slots__ = ()

    async def create(
        self,
        *,
        audio: AudioSource | None = None,
        voice_url: str | None = None,
        webhook_url: str | None = None,
        webhook_header_token: str | None = None,
        reference_id: str | None = None,
        possible_language: str | None = None,
        possible_conversation: str | None = None,
        customer_voice_url: str | None = None,
        email: str | None = None,
        customer_phone: str | None = None,
        customer_email: str | None = None,
        qa_agent_uuid: str | None = None,
        coaching_agent_uuid: str | None = None,
        filename: str | None = None,
        content_type: str | None = None,
        max_bytes: int = MAX_AUDIO_BYTES,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Transcription:
        """Submit audio for asynchronous transcription (and evaluation); returns the
        accepted `Transcription` job (its `id`, `status` "pending").

        `audio` is a path (str or `os.PathLike`), the bytes, or an async file object
        (`anyio.open_file(...)`, aiofiles: anything with `async read(n)`); or pass
        `voice_url`, a link to the audio, instead. The audio is sent as the form's
        `voice_file`, streamed a chunk at a time: never read whole into memory. Its
        size is checked before anything is sent (a path's from the file system, a
        file object's by seeking to its end and back): empty, or over `max_bytes`, is
        a `RequestValidationError` naming `audio`. `max_bytes` defaults to the API's
        documented limit, 128 MiB, so an upload it would refuse does not travel
        first; lower it to bound your own uploads. A file object without `seek`/
        `tell` is sent chunked, checked against `max_bytes` as it goes, and gets one
        attempt only: it cannot be read twice, so it is never retried. A path is
        reopened and bytes resent whole on a retry (which for this POST happens only
        when the server surely did not get it: see `RetryPolicy`).

        When the job is done, the API POSTs the transcript to `webhook_url` (https
        only) with `Authorization: Bearer {webhook_header_token}`; the token is sent
        in the form and never shown in a repr, a log record or an error.
        `filename` and `content_type` name the file part (default: the file's name,
        "audio" for bytes, and the type its extension suggests). The other fields
        (`reference_id`, `possible_language` <= 10 characters, `email`,
        `customer_phone`, `customer_email` <= 255, `qa_agent_uuid` and
        `coaching_agent_uuid` UUIDs, ...) and any other keyword arguments go into the
        form as text (booleans as 1/0, lists and dicts as JSON).
        """
        values = {
            key: value
            for key, value in {
                "voice_url": voice_url,
                "possible_language": possible_language,
                "possible_conversation": possible_conversation,
                "reference_id": reference_id,
                "customer_voice_url": customer_voice_url,
                "email": email,
                "customer_phone": customer_phone,
                "customer_email": customer_email,
                "webhook_url": webhook_url,
                "webhook_header_token": webhook_header_token,
                "qa_agent_uuid": qa_agent_uuid,
                "coaching_agent_uuid": coaching_agent_uuid,
                **fields,
                **(extra_body or {}),
            }.items()
            if value is not None
        }
        _check_fields(values, webhook_header_token)
        if (audio is None) == (voice_url is None):
            raise _invalid("audio", "pass the audio (a path, bytes or a file object) or voice_url")
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise _invalid("max_bytes", f"max_bytes must be a positive integer, got {max_bytes!r}")
        source = None if audio is None else await _audio(audio, max_bytes)
        result: Transcription = await self._send(
            CREATE,
            _transcription,
            upload=_Form(values, source, filename, content_type),
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result

    async def transcript(
        self,
        transcription_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Transcript:
        """The transcript of the transcription `transcription_id` (a UUID): its
        conversation's `messages`, its `evaluations` and `status`. `NotFoundError`
        when there is no such transcription."""
        result: Transcript = await self._send(
            TRANSCRIPT,
            _transcript,
            path={"transcription_id": transcription_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result


_transcription = decoder(Transcription)
_transcript = decoder(Transcript)
