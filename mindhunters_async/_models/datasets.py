"""Datasets: tables of records an agent can look things up in (`client.datasets`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._converter import converter
from . import _aliases

__all__ = ["Dataset", "DatasetRecord"]


@attrs.frozen(slots=False)
class Dataset:
    """A dataset, made from pasted text (`datasets.create`) and kept as records.

    Only `id` is sure to be set (the API sends it as `uuid`); these endpoints are
    known from a third-party client, which shows no response body, so every other
    field is read when present. `columns` is kept as the API sends it.
    `agent_uuids` are the agents it was assigned to (`datasets.assign`).
    """

    id: str = attrs.field(metadata=_aliases("uuid", "dataset_uuid", "dataset_id"))
    name: str | None = None
    description: str | None = None
    status: str | None = None
    source: str | None = None
    columns: Any = None
    records_count: int | None = None
    agent_uuids: tuple[str, ...] | None = None
    synced_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class DatasetRecord:
    """One record (row) of a dataset: its `id` (an integer on the wire in Laravel's
    style, or a string; always a `str` here) and its column values in `data`.

    `data` is read from a nested `data` (or `record`, `values`) object; when the API
    sends the columns as top-level keys instead, they land in `data` by name.
    """

    id: str = attrs.field(metadata=_aliases("record_id", "uuid"))
    dataset_uuid: str | None = attrs.field(default=None, metadata=_aliases("dataset_id"))
    data: dict[str, Any] = attrs.field(factory=dict, metadata=_aliases("record", "values"))
    created_at: datetime | None = None
    updated_at: datetime | None = None


_OWN_KEYS = frozenset(
    {
        "id",
        "record_id",
        "recordId",
        "uuid",
        "dataset_uuid",
        "datasetUuid",
        "dataset_id",
        "datasetId",
        "data",
        "record",
        "values",
        "created_at",
        "createdAt",
        "updated_at",
        "updatedAt",
    }
)
_read_record = converter.get_structure_hook(DatasetRecord)


def _structure_record(data: Any, cls: type[DatasetRecord]) -> DatasetRecord:
    record: DatasetRecord = _read_record(data, cls)
    if record.data:
        return record
    columns = {key: value for key, value in data.items() if key not in _OWN_KEYS}
    return attrs.evolve(record, data=columns) if columns else record


# Registered on the SDK's one converter, so pages of records read flat columns too.
converter.register_structure_hook(DatasetRecord, _structure_record)
