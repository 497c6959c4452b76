"""Defaults, in one place: every other module imports them from here."""

from __future__ import annotations

import enum
import re

import httpx

ENV_API_TOKEN = "MINDHUNTERS_API_TOKEN"
ENV_TENANT = "MINDHUNTERS_TENANT"
ENV_BASE_URL = "MINDHUNTERS_BASE_URL"

BASE_URL_TEMPLATE = "https://{tenant}.mindhunters.ai/api/v1"
TENANT_PATTERN = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)

# Placing a call can take the server a few seconds; connecting should not.
# The pool timeout is None so that a burst larger than the pool queues for a
# connection instead of failing with PoolTimeout: RetryPolicy.deadline bounds
# the wait when the caller wants a bound.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0, pool=None)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

DEFAULT_MAX_RETRIES = 2
DEFAULT_INITIAL_DELAY = 0.5
DEFAULT_MAX_DELAY = 8.0
DEFAULT_MAX_RETRY_AFTER = 60.0
DEFAULT_RETRY_STATUSES = frozenset({429, 500, 502, 503})
# Statuses after which the server surely did not act, so even a POST that
# creates a phone call may be sent again.
DEFAULT_SAFE_RETRY_STATUSES = frozenset({429, 503})

# Token bucket of the AWS SDKs' "standard" retry mode.
DEFAULT_BUDGET_CAPACITY = 500
DEFAULT_BUDGET_RETRY_COST = 5
DEFAULT_BUDGET_TIMEOUT_COST = 10
DEFAULT_BUDGET_SUCCESS_REFUND = 1

DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
# An error envelope is a few hundred bytes: a larger error body is cut here,
# whatever max_response_bytes allows for successes.
ERROR_BODY_LIMIT = 64 * 1024

# A server's wait beyond a day (or too large to be a number at all) reads as a day:
# far above any max_retry_after, so the call is not retried, and still a number a
# caller can schedule with.
RETRY_AFTER_CEILING = 24 * 3600.0

# The API's documented rate limit (429 RATE_LIMIT_EXCEEDED beyond it): the defaults
# of mh.RateLimit(). The client has no governor unless given one (rate_limit=None).
API_RATE_LIMIT_REQUESTS = 1000
API_RATE_LIMIT_PER = 60.0

# How long aclose() lets requests in flight finish before cutting them short.
DEFAULT_CLOSE_GRACE = 5.0

REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid")

LOGGER_NAME = "mindhunters_async"


class TextEnum(str, enum.Enum):
    """A string enum whose `str()` is its value, as `enum.StrEnum` has it from Python 3.11
    (the SDK runs on 3.10): the base of every enum the SDK sends or shows."""

    def __str__(self) -> str:
        return str(self.value)
