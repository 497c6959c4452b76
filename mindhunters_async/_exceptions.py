"""Every exception the SDK raises.

The hierarchy::

    MindhuntersError
    ├── RequestValidationError (also ValueError)   bad input, caught before any I/O
    ├── ConfigurationError (also ValueError)       bad client settings, caught at construction
    ├── ClientStateError                           client closed, or used from another event loop
    ├── WebhookError (also ValueError)             a webhook delivery refused: unverified, malformed
    └── APIError                                   something went wrong talking to the API
        ├── APIConnectionError                     no usable response (network, TLS, dropped)
        │   └── APITimeoutError                    a timeout, or RetryPolicy.deadline ran out
        ├── ResponseDecodeError                    a 2xx the SDK cannot read (not JSON, too large)
        └── APIStatusError                         any non-2xx response
            ├── BadRequestError                    400
            ├── AuthenticationError                401
            ├── PermissionDeniedError              403
            ├── NotFoundError                      404
            ├── ConflictError                      409
            ├── UnprocessableEntityError           422
            ├── RateLimitError                     429
            └── ServerError                        5xx
                ├── InternalServerError            500
                ├── BadGatewayError                502
                └── ServiceUnavailableError        503

`str(err)` is one line: status, code, message, details, request id, and what
the retry layer did. It never contains the API token: the SDK never puts the
token anywhere but the Authorization header, and error text is built only from
the server's reply and the request's method and path.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import attrs

from ._config import TextEnum

if TYPE_CHECKING:
    import httpx

    from ._support import SupportInfo

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "ErrorCode",
    "InternalServerError",
    "MindhuntersError",
    "NotFoundError",
    "Outcome",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "ResponseDecodeError",
    "ServerError",
    "ServiceUnavailableError",
    "UnprocessableEntityError",
    "WebhookError",
]


class ErrorCode(TextEnum):
    """The machine-readable `error.code` values documented by the API.

    `APIStatusError.code` is an `ErrorCode` when the server sends one of these,
    and the plain string otherwise, so a new server code never breaks decoding.
    Members compare equal to their string values.
    """

    MISSING_AUTH_TOKEN = "MISSING_AUTH_TOKEN"
    INVALID_AUTH_TOKEN = "INVALID_AUTH_TOKEN"
    FORBIDDEN = "FORBIDDEN"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    INVALID_FORMAT = "INVALID_FORMAT"
    INVALID_UUID = "INVALID_UUID"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
    ENDPOINT_NOT_FOUND = "ENDPOINT_NOT_FOUND"
    RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    WEBHOOK_LIMIT_REACHED = "webhook_limit_reached"

    @classmethod
    def parse(cls, value: str) -> ErrorCode | str:
        """The member for `value`, or `value` itself when the code is not documented."""
        return cls._value2member_map_.get(value, value)  # type: ignore[return-value]


class MindhuntersError(Exception):
    """Base class of every exception raised by the SDK."""

    #: A short message in the spirit of the API's errors page, safe to show to
    #: an end user of the caller's product.
    user_message: str = "An error occurred. Please try again"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RequestValidationError(MindhuntersError, ValueError):
    """A request the SDK refused before sending anything.

    `field` names the offending field as the server would (`participant.number`,
    `agentId`, or a path parameter such as `call_id`); `code` is the code the server
    would have answered with (`INVALID_FORMAT`, `INVALID_UUID` or
    `VALIDATION_ERROR`); `details` says how to fix it.
    """

    def __init__(self, field: str, code: ErrorCode, details: str) -> None:
        super().__init__(f"{field}: {details}")
        self.field = field
        self.code = code
        self.details = details

    @property
    def user_message(self) -> str:  # type: ignore[override]
        """A short text to show an end user, naming what to fix by `field`
        ("Please check the phone number format")."""
        return _user_message_for_validation(self.field)


class ConfigurationError(MindhuntersError, ValueError):
    """The client was given settings it cannot work with; `setting` names which.

    Raised by `AsyncMindhunters(...)`, before any request.
    """

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


class ClientStateError(MindhuntersError):
    """The client cannot be used as it was: it is closed, or bound to another event loop."""


class WebhookError(MindhuntersError, ValueError):
    """A webhook delivery that `mh.webhooks.parse_event` refused.

    `reason` says why in a few words: "rejected by verify" (the `verify=` hook
    refused it or raised), "not JSON", "not an object", "no event name", "data is
    not an object". Answer the sender with a 4xx; the message never quotes the body,
    which may hold a caller's personal data.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@attrs.frozen
class Outcome:
    """What the retry layer knew when it gave up on a call: attached once to the error.

    - `attempts`: how many requests were sent for this call;
    - `idempotency_key`: the `Idempotency-Key` of a POST, identical on every attempt;
    - `unknown`: True when the server may have acted (for example placed the phone
      call) although no success reached the SDK;
    - `note`: why the retry layer stopped, when it stopped early.
    """

    attempts: int = 1
    idempotency_key: str | None = None
    unknown: bool = False
    note: str | None = None


class APIError(MindhuntersError):
    """Something went wrong while talking to the API.

    Besides the message, every `APIError` says what the retry layer knew (its
    `outcome`, an `Outcome`), also readable as attributes:

    - `attempts`: how many requests were sent for this call;
    - `idempotency_key`: the `Idempotency-Key` of a POST, identical on every attempt,
      to reconcile with `calls.list` after an unknown outcome;
    - `outcome_unknown`: True when the server may have acted (for example placed the
      phone call) although no success reached the SDK, and the SDK did not retry
      for that reason;
    - `retry_note`: why the retry layer stopped, when it stopped early.

    `timestamp` is when the error was raised (UTC); `support_info()` gathers what a
    support ticket needs.
    """

    outcome: Outcome = Outcome()

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        outcome: Outcome | None = None,
    ) -> None:
        super().__init__(message)
        self.request = request
        self.timestamp = datetime.now(timezone.utc)
        if outcome is not None:
            self.outcome = outcome

    def support_info(self) -> SupportInfo:
        """What the errors page asks a support ticket to hold, ready to send: request id,
        UTC timestamp, method and endpoint, the request body sanitized (phone numbers
        masked but for their last 4 digits, secrets dropped), status and error body,
        attempts, idempotency key, and the SDK, httpx and Python versions.

        `info.as_dict()` for a JSON ticket or a log record, `str(info)` for an email.
        """
        from ._support import support_info

        return support_info(self)

    @property
    def attempts(self) -> int:
        """How many requests were sent for this call."""
        return self.outcome.attempts

    @property
    def idempotency_key(self) -> str | None:
        """The `Idempotency-Key` of a POST, the same on every attempt."""
        return self.outcome.idempotency_key

    @property
    def outcome_unknown(self) -> bool:
        """True when the server may have acted although no success reached the SDK."""
        return self.outcome.unknown

    @property
    def retry_note(self) -> str | None:
        """Why the retry layer stopped, when it stopped early."""
        return self.outcome.note

    def __str__(self) -> str:
        text = self._summary()
        if self.outcome_unknown:
            text = text.rstrip(" .") + (
                ". The outcome is unknown: the server may have acted on the request"
                " (for example placed the call)"
            )
            if self.attempts == 1:
                text += "; it was not retried"
            if self.idempotency_key:
                text += f" (Idempotency-Key {self.idempotency_key})"
            text += "."
        if self.retry_note:
            text += f" [{self.retry_note}]"
        return text

    def _summary(self) -> str:
        return self.message


class APIConnectionError(APIError):
    """No usable response arrived: connection refused or dropped, TLS failure, bad body.

    The underlying transport exception, if any, is `__cause__`. The I/O boundary
    says, once, what it knows of the request: `sent` is False when the request
    surely never reached the server (refused connection, connect timeout) and None
    when it may have; `retryable` is False when another attempt cannot help (a TLS
    certificate failure, an unsupported URL, the client closed under the call).
    """

    user_message = "Network error. Please check your connection"

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        outcome: Outcome | None = None,
        sent: bool | None = None,
        retryable: bool = True,
        reason: str | None = None,
    ) -> None:
        super().__init__(message, request=request, outcome=outcome)
        self.sent = sent
        self.retryable = retryable
        #: Why it is not retryable, in a few words, for the retry layer's note.
        self.reason = reason


class APITimeoutError(APIConnectionError):
    """A timeout: one attempt's httpx timeout, or `RetryPolicy.deadline` for the whole call."""

    user_message = "The request timed out. Please try again"


class ResponseDecodeError(APIError):
    """A successful response the SDK could not read: not JSON, wrong shape, or too large.

    `body` holds the raw bytes (up to the size cap) when they were read.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        status_code: int | None = None,
        body: bytes | None = None,
        outcome: Outcome | None = None,
    ) -> None:
        super().__init__(message, request=request, outcome=outcome)
        self.status_code = status_code
        self.body = body


class APIStatusError(APIError):
    """The API answered with a status other than 2xx.

    Attributes: `status_code`; `code` (the server's `error.code`, an `ErrorCode` when
    documented, else the string, else None); `message`; `details`; `field` (for
    validation errors); `retry_after` (seconds, from the body's `retryAfter` or the
    `Retry-After` / `retry-after-ms` headers, positive, at most a day: a longer wait,
    or one too large to be a number, reads as a day; else None);
    `request_id` (from a request-id header, when the server sends one); `body` (the
    decoded JSON, or the text when the body was not JSON); `response`.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: Any = None,
        code: ErrorCode | str | None = None,
        details: str | None = None,
        field: str | None = None,
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.code = code
        self.details = details
        self.field = field
        self.retry_after = retry_after
        self.request_id = request_id

    def _summary(self) -> str:
        request = self.request
        where = f"{request.method} {request.url.path} -> " if request is not None else ""
        text = f"{where}{self.status_code}"
        if self.code is not None:
            text += f" {self.code}"
        text += f": {self.message}"
        if self.field:
            text += f" (field {self.field})"
        if self.details and self.details != self.message:
            text += f" - {self.details}"
        if self.retry_after is not None:
            text += f" (retry after {self.retry_after:g}s)"
        if self.request_id:
            text += f" [request id {self.request_id}]"
        return text


class BadRequestError(APIStatusError):
    """400: the request was malformed."""

    user_message = "The request was invalid. Please check it and try again"


class AuthenticationError(APIStatusError):
    """401: the API token is missing, invalid or revoked."""

    user_message = "Authentication failed. Please check your API token"


class PermissionDeniedError(APIStatusError):
    """403: the token is valid but lacks the permission."""

    user_message = "Permission denied. Insufficient permissions"


class NotFoundError(APIStatusError):
    """404: no such resource (`RESOURCE_NOT_FOUND`) or endpoint (`ENDPOINT_NOT_FOUND`)."""

    user_message = "Not found. Please check the identifier"


class ConflictError(APIStatusError):
    """409: a conflict, such as `webhook_limit_reached`."""

    user_message = "The request conflicts with the current state"


class UnprocessableEntityError(APIStatusError):
    """422: validation failed on the server; `field` names the field."""

    @property
    def user_message(self) -> str:  # type: ignore[override]
        """A short text to show an end user, naming what to fix by `field`
        ("Please check the phone number format")."""
        return _user_message_for_validation(self.field)


class RateLimitError(APIStatusError):
    """429: the rate limit was exceeded; `retry_after` says how long to wait, when known."""

    user_message = "Too many requests. Please try again in a moment"


class ServerError(APIStatusError):
    """Any 5xx: a problem on the server's side."""

    user_message = "Server error. Please try again later"


class InternalServerError(ServerError):
    """500: an unexpected server error."""


class BadGatewayError(ServerError):
    """502: a proxy in front of the API could not reach it."""


class ServiceUnavailableError(ServerError):
    """503: the service is overloaded or under maintenance."""


def _user_message_for_validation(field: str | None) -> str:
    if field and ("number" in field or "phone" in field):
        return "Please check the phone number format"
    return "Please check the information you entered"


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    500: InternalServerError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
}


def error_class_for(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP status (5xx without a class of its own: `ServerError`)."""
    cls = STATUS_ERRORS.get(status_code)
    if cls is not None:
        return cls
    return ServerError if 500 <= status_code <= 599 else APIStatusError
