"""AsyncPager: one object that is awaited for a page or iterated for every item."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

from ._converter import page_parts, structure_all
from ._models import Page

__all__ = ["AsyncPager"]

T = TypeVar("T")

Fetch = Callable[[int], Awaitable[Page[T]]]


def decode_page(
    body: Any, cls: type[T], fetch: Fetch[T], *, page: int = 1, per_page: int | None = None
) -> Page[T]:
    """A `Page` of `cls` from a list response in any of the API's shapes.

    `page` and `per_page` are what was asked for: they stand in for paging numbers
    the response leaves out.
    """
    raw_items, numbers, has_more = page_parts(body)
    return Page(
        items=structure_all(raw_items, cls),
        current_page=numbers["current_page"] or page,
        last_page=numbers["last_page"],
        per_page=numbers["per_page"] or per_page,
        total=numbers["total"],
        has_more=has_more,
        fetch=fetch,
    )


class AsyncPager(Generic[T]):
    """What a list method returns.

    `await pager` gives the first requested page (a `Page`); `async for item in pager`
    yields every item, page after page; `async for page in pager.pages()` yields
    the pages. Iteration stops after the last page (by `last_page`, `has_more`,
    `total`, or a page shorter than `per_page` when the server sends no numbers), on
    an empty page, and when the server answers with another page than the one asked
    for or repeats the previous one (a server that ignores `page` would otherwise
    repeat itself forever). Breaking out of either loop early is fine: nothing is
    left open.
    """

    __slots__ = ("_fetch", "_first", "_start")

    def __init__(
        self,
        fetch: Fetch[T],
        start: int = 1,
        *,
        first: Callable[[int], Awaitable[Any]] | None = None,
    ) -> None:
        self._fetch = fetch
        self._start = start
        # What `await` gives, when not the page itself: a `RawResponse` of it
        # (`with_raw_response`); walking the list still yields the items.
        self._first = first

    def __await__(self) -> Generator[Any, None, Page[T]]:
        if self._first is not None:
            return self._first(self._start).__await__()
        return self._fetch(self._start).__await__()

    def pages(self) -> AsyncIterator[Page[T]]:
        """Every page from the first requested one to the last."""
        return _Pages(self._fetch, self._start)

    def __aiter__(self) -> AsyncIterator[T]:
        return _Items(_Pages(self._fetch, self._start))


# Iterators as classes, not async generators: a caller who breaks out of the
# loop leaves no suspended generator behind for trio to warn about.


class _Pages(AsyncIterator[Page[T]]):
    __slots__ = ("_fetch", "_first", "_next", "_previous")

    def __init__(self, fetch: Fetch[T], start: int) -> None:
        self._fetch = fetch
        self._first = start
        self._next: int | None = start
        self._previous: tuple[T, ...] | None = None

    async def __anext__(self) -> Page[T]:
        number = self._next
        if number is None:
            raise StopAsyncIteration
        self._next = None
        page = await self._fetch(number)
        if number != self._first and page.current_page != number:
            raise StopAsyncIteration
        if page.items and page.items == self._previous:
            # A server that ignores `page` (and sends no paging numbers) repeats
            # itself: the list has ended.
            raise StopAsyncIteration
        self._previous = page.items
        if page.has_next_page:
            self._next = number + 1
        return page


class _Items(AsyncIterator[T]):
    __slots__ = ("_items", "_pages")

    def __init__(self, pages: _Pages[T]) -> None:
        self._pages = pages
        self._items: Iterator[T] = iter(())

    async def __anext__(self) -> T:
        while True:
            for item in self._items:
                return item
            self._items = iter((await self._pages.__anext__()).items)
