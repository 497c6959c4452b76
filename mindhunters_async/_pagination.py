"""AsyncPager: one object that is awaited for a page or iterated for every item."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

from ._converter import page_parts, structure
from ._models import Page

__all__ = ["AsyncPager"]

T = TypeVar("T")


def decode_page(body: Any, cls: type[T], fetch: Callable[[int], Awaitable[Page[T]]]) -> Page[T]:
    """A `Page` of `cls` from a list response in any of the API's shapes."""
    raw_items, numbers = page_parts(body)
    return Page(
        items=tuple(structure(item, cls) for item in raw_items),
        current_page=numbers["current_page"] or 1,
        last_page=numbers["last_page"],
        per_page=numbers["per_page"],
        total=numbers["total"],
        fetch=fetch,
    )


class AsyncPager(Generic[T]):
    """What a list method returns.

    `await pager` gives the first requested page (a `Page`); `async for item in pager`
    yields every item, page after page; `async for page in pager.pages()` yields
    the pages. Iteration stops after the last page, on an empty page, and when the
    server answers with a page number lower than the one asked for (a server that
    ignores `page` would otherwise loop forever).
    """

    __slots__ = ("_fetch", "_start")

    def __init__(self, fetch: Callable[[int], Awaitable[Page[T]]], start: int = 1) -> None:
        self._fetch = fetch
        self._start = start

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._fetch(self._start).__await__()

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page from the first requested one to the last."""
        number = self._start
        while True:
            page = await self._fetch(number)
            yield page
            if not page.has_next_page or page.current_page < number:
                return
            number = page.current_page + 1

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item
