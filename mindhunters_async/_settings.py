"""The client's settings: checked once, at construction, into an `Options`.

Every check raises `ConfigurationError` naming the setting, before anything is
opened, so a refused setting leaves nothing behind.
"""

from __future__ import annotations

import enum
import os
from typing import Any, Final, Literal

import attrs
import httpx

from . import _config
from ._exceptions import ConfigurationError
from ._pipeline import Options
from ._stats import Observer, Stats
from .middleware._auth import TokenProvider, TokenSource, check_token
from .middleware._retry import RetryPolicy, TokenBucket

__all__ = ["NOT_GIVEN", "NotGiven", "check_http_backend", "check_rate_limit", "resolve_options"]

_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


class NotGiven(enum.Enum):
    """The type of `NOT_GIVEN`: an argument left out, as opposed to one given as None."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven.NOT_GIVEN


def resolve_options(
    *,
    api_token: str | TokenSource | TokenProvider | None,
    tenant: str | None,
    base_url: str | None,
    timeout: float | httpx.Timeout | NotGiven | None,
    retry: RetryPolicy | None,
    max_retries: int | None,
    max_response_bytes: int,
    static_headers: tuple[tuple[str, str], ...],
    buckets: dict[Any, TokenBucket],
    stats: Stats | None = None,
    observers: tuple[Observer, ...] = (),
) -> Options:
    """The `Options` of a client, from its arguments and the environment.

    `buckets` holds the retry buckets of a client and its copies, one per
    `RetryBudget`: a copy with the same budget shares its client's bucket; so are
    `stats` and `observers` shared.
    """
    authorization, provider = _token(api_token)
    policy = retry if retry is not None else RetryPolicy()
    if max_retries is not None:
        policy = attrs.evolve(policy, max_retries=max_retries)
    _check_max_response_bytes(max_response_bytes)
    budget = policy.budget
    bucket = None
    if budget is not None:
        bucket = buckets.get(budget)
        if bucket is None:
            bucket = buckets[budget] = TokenBucket(budget)
    return Options(
        base_url=_resolve_base_url(tenant, base_url),
        authorization=authorization,
        token_provider=provider,
        timeout=_timeout(timeout),
        retry=policy,
        budget=bucket,
        max_response_bytes=max_response_bytes,
        static_headers=static_headers,
        stats=Stats() if stats is None else stats,
        observers=observers,
    )


def check_http_backend(
    http_backend: Literal["httpx", "aiohttp"], http_client: object, transport: object
) -> None:
    """Refuse contradicting choices of the connection pool."""
    if http_client is not None and transport is not None:
        raise ConfigurationError("transport", "pass either http_client or transport, not both")
    if http_backend == "aiohttp":
        if http_client is not None or transport is not None:
            raise ConfigurationError(
                "http_backend",
                "http_backend='aiohttp' chooses the SDK's transport: pass it without"
                " http_client or transport",
            )
    elif http_backend != "httpx":
        raise ConfigurationError(
            "http_backend", f"http_backend must be 'httpx' or 'aiohttp', not {http_backend!r}"
        )


def check_rate_limit(rate_limit: object) -> None:
    """Refuse a `rate_limit` that is not a governor (`mh.RateLimit`, `mh.RedisRateLimit`)."""
    if rate_limit is not None and not callable(getattr(rate_limit, "govern", None)):
        raise ConfigurationError(
            "rate_limit",
            "rate_limit must be mh.RateLimit(requests=..., per=...), mh.RedisRateLimit(...)"
            f" or None, not {rate_limit!r}",
        )


def _token(
    api_token: str | TokenSource | TokenProvider | None,
) -> tuple[str, TokenProvider | None]:
    """The Authorization header value, or a provider of the token."""
    if isinstance(api_token, TokenProvider):
        return "", api_token  # a copy of a client, sharing its provider
    if callable(api_token):
        return "", TokenProvider(api_token)
    token = api_token if api_token is not None else os.environ.get(_config.ENV_API_TOKEN)
    if not token:
        raise ConfigurationError(
            "api_token",
            f"no API token: pass api_token=... (a str, or a callable returning one) or set"
            f" {_config.ENV_API_TOKEN}",
        )
    return f"Bearer {check_token(token, 'api_token is')}", None


def _resolve_base_url(tenant: str | None, base_url: str | None) -> str:
    # Explicit arguments first, then the environment; base_url before tenant
    # at each level, so an explicit tenant beats MINDHUNTERS_BASE_URL.
    if base_url is None and tenant is None:
        base_url = os.environ.get(_config.ENV_BASE_URL) or None
        tenant = os.environ.get(_config.ENV_TENANT) or None
    if base_url is not None:
        return _check_base_url(base_url)
    if tenant is None:
        raise ConfigurationError(
            "tenant",
            "no tenant: pass tenant='your-tenant' (or base_url=...), or set"
            f" {_config.ENV_TENANT} (or {_config.ENV_BASE_URL})",
        )
    if not isinstance(tenant, str) or _config.TENANT_PATTERN.fullmatch(tenant) is None:
        raise ConfigurationError(
            "tenant",
            f"tenant {tenant!r} is not a single DNS label: use lowercase ASCII letters,"
            " digits and inner hyphens only, as in 'acme' of acme.mindhunters.ai",
        )
    url = _config.BASE_URL_TEMPLATE.format(tenant=tenant)
    # The template is trusted, the tenant is not: check what they built.
    parsed = httpx.URL(url)
    if parsed.host != f"{tenant}.mindhunters.ai" or parsed.path != "/api/v1":
        raise ConfigurationError("tenant", f"tenant {tenant!r} does not give a valid base URL")
    return url


def _check_base_url(base_url: str) -> str:
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError("base_url", f"base_url is not a valid URL: {exc}") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise ConfigurationError(
            "base_url", "base_url must be an absolute https URL such as https://acme.mihu.ai/api/v1"
        )
    if url.scheme == "http" and url.host not in _LOCAL_HOSTS:
        raise ConfigurationError(
            "base_url",
            "base_url must use https (http is allowed only for localhost and 127.0.0.1),"
            " so that the API token is never sent in the clear",
        )
    if url.userinfo or url.query or url.fragment or "#" in base_url or "?" in base_url:
        raise ConfigurationError(
            "base_url", "base_url must not carry credentials, a query or a fragment"
        )
    return str(url).rstrip("/")


def _check_max_response_bytes(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(
            "max_response_bytes", f"max_response_bytes must be a positive int, got {value!r}"
        )


def _timeout(value: float | httpx.Timeout | NotGiven | None) -> httpx.Timeout:
    if value is NOT_GIVEN:
        return _config.DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(value, pool=None)
