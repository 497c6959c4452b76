"""Routing requests to the fake with respx (imported only when asked for)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import respx

__all__ = ["route_to"]


@contextmanager
def route_to(
    handle: Callable[[httpx.Request], httpx.Response],
    router: respx.MockRouter | None,
    base_url: str,
) -> Iterator[respx.MockRouter]:
    """Within the block, `router` (or a new, started one) sends `base_url`'s host to `handle`."""
    url = httpx.URL(base_url)
    # The whole origin, not only the API prefix: the fake answers 404 for other paths,
    # as the server would, instead of respx failing the request as unmocked.
    origin = f"{url.scheme}://{url.netloc.decode('ascii')}/"
    name = f"FakeMindhunters {origin}"
    if router is None:
        with respx.mock(assert_all_called=False) as own:
            own.route(url__startswith=origin, name=name).mock(side_effect=handle)
            yield own
        return
    router.route(url__startswith=origin, name=name).mock(side_effect=handle)
    try:
        yield router
    finally:
        router.pop(name, None)
