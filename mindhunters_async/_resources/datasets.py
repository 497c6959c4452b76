"""client.datasets: datasets and their records."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

from .._converter import decoder
from .._exceptions import ErrorCode, RequestValidationError
from .._models.datasets import Dataset, DatasetRecord
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import check_text as _text
from .._validators import validate_uuid
from ._base import Resource, fields, paging_rules, uuid_path, with_id

__all__ = ["Datasets"]

_RECORD_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,100}")


def _record_id(value: object, field: str) -> None:
    # Records are not UUIDs (Laravel's integer ids, or strings): the id must be
    # one plain path segment, so "../x" or "7/delete" can never reach another path.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return
    if isinstance(value, str) and _RECORD_ID.fullmatch(value):
        return
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    raise RequestValidationError(
        field,
        ErrorCode.VALIDATION_ERROR,
        f"{field} must be a whole number or a string of letters, digits, '-' and '_'"
        f" (at most 100), got {shown}",
    )


def _columns(value: object, field: str) -> None:
    if not isinstance(value, Mapping) or not value:
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must hold at least one column: pass them as keyword arguments"
            ' (Price="1999") or as **{"Column name": value}',
        )


_DATASET = uuid_path("dataset_id")
_RECORD = (*uuid_path("dataset_id"), Rule("record_id", _record_id, "path"))
_RECORD_BODY = Rule("record", _columns)

# Every path here is a third-party client's (inferred): correcting one is a one-line change.
CREATE = Endpoint(
    "datasets.create",
    "POST",
    "/data/import/copypaste",
    rules=(Rule("name", _text), Rule("data", _text)),
    source="inferred",
)
GET = Endpoint("datasets.get", "GET", "/data/{dataset_id}", rules=_DATASET, source="inferred")
RECORDS = Endpoint(
    "datasets.records",
    "GET",
    "/data/{dataset_id}/records",
    rules=(*_DATASET, *paging_rules(100)),
    source="inferred",
)
ADD_RECORD = Endpoint(
    "datasets.add_record",
    "POST",
    "/data/{dataset_id}/records",
    rules=(*_DATASET, _RECORD_BODY),
    source="inferred",
)
UPDATE_RECORD = Endpoint(
    "datasets.update_record",
    "PUT",
    "/data/{dataset_id}/records/{record_id}",
    rules=(*_RECORD, _RECORD_BODY),
    source="inferred",
)
DELETE_RECORD = Endpoint(
    "datasets.delete_record",
    "DELETE",
    "/data/{dataset_id}/records/{record_id}",
    rules=_RECORD,
    source="inferred",
)
SYNC = Endpoint("datasets.sync", "POST", "/data/{dataset_id}/sync", _DATASET, source="inferred")
ASSIGN = Endpoint(
    "datasets.assign",
    "POST",
    "/data/{dataset_id}/assign",
    rules=(*_DATASET, Rule("agent_uuid", validate_uuid)),
    source="inferred",
)

_dataset = decoder(Dataset)


class Datasets(Resource):
    """Datasets (`Dataset`): tables an agent can look things up in. `create` one from
    pasted text, `get` it, page through its `records`, `add_record`,
    `update_record`, `delete_record`; `sync` it and `assign` it to an agent.

    Every path here comes from a third-party client (inferred). Record ids are
    integers or strings, not UUIDs (`DatasetRecord.id` is always a `str`).
    """

    __slots__ = ()

    async def create(
        self,
        *,
        name: str,
        data: str,
        description: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Dataset:
        """Create a dataset called `name` from pasted text `data` (a header line, then
        one line a record, as copied from a spreadsheet). Inferred path. Returns the
        new `Dataset`."""
        result: Dataset = await self._send(
            CREATE,
            _dataset,
            json=fields(name=name, data=data, description=description),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def get(
        self,
        dataset_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Dataset:
        """The dataset `dataset_id` (a UUID); `NotFoundError` when there is none.
        Inferred path."""
        result: Dataset = await self._send(
            GET,
            _dataset,
            path={"dataset_id": dataset_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result

    def records(
        self,
        dataset_id: str | Any,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[DatasetRecord]:
        """The records of the dataset `dataset_id` (a UUID): `await` for one `Page`,
        `async for` for every record. `per_page` is at most 100. Inferred path."""
        return self._pager(
            RECORDS,
            DatasetRecord,
            path={"dataset_id": dataset_id},
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def add_record(
        self,
        dataset_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **columns: Any,
    ) -> DatasetRecord:
        """Add a record to the dataset `dataset_id`: its column values as keyword
        arguments (`Location="New York", Price="1999"`; a column name that is not an
        identifier as `**{"Unit price": "9"}`), sent as `{"record": {...}}`. At least
        one column, checked before sending. Inferred path. Returns the new record."""
        result: DatasetRecord = await self._send(
            ADD_RECORD,
            with_id(DatasetRecord, None, "id"),
            path={"dataset_id": dataset_id},
            json={"record": columns},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def update_record(
        self,
        dataset_id: str | Any,
        record_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **columns: Any,
    ) -> DatasetRecord:
        """Change the record `record_id` (an integer or a string of letters, digits,
        '-' and '_', checked before sending) of the dataset `dataset_id`: the given
        columns, sent as `{"record": {...}}` (a PUT). Inferred path. Returns the record
        as updated; `NotFoundError` when there is no such record."""
        result: DatasetRecord = await self._send(
            UPDATE_RECORD,
            with_id(DatasetRecord, record_id, "id"),
            path={"dataset_id": dataset_id, "record_id": record_id},
            json={"record": columns},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def delete_record(
        self,
        dataset_id: str | Any,
        record_id: int | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete the record `record_id` of the dataset `dataset_id` (ids as in
        `update_record`). Inferred path. `NotFoundError` when there is no such
        record."""
        await self._send(
            DELETE_RECORD,
            None,
            path={"dataset_id": dataset_id, "record_id": record_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def sync(
        self,
        dataset_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Dataset:
        """Sync the dataset `dataset_id` (a UUID): the agents using it see its
        current records. Inferred path. Returns the dataset (with only its id when the
        answer says no more)."""
        result: Dataset = await self._send(
            SYNC,
            with_id(Dataset, dataset_id),
            path={"dataset_id": dataset_id},
            json={},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def assign(
        self,
        dataset_id: str | Any,
        *,
        agent_id: str | Any,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Dataset:
        """Give the agent `agent_id` the dataset `dataset_id` to look things up in
        (both UUIDs, checked before sending; sent as `{"agent_uuid": ...}`). Inferred
        path. Returns the dataset (with only its id when the answer says no more)."""
        agent = str(agent_id) if isinstance(agent_id, uuid.UUID) else agent_id
        result: Dataset = await self._send(
            ASSIGN,
            with_id(Dataset, dataset_id),
            path={"dataset_id": dataset_id},
            json={"agent_uuid": agent},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result
