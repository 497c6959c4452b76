"""client.flows: deploying flows and editing their steps."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from .._converter import decoder
from .._exceptions import ErrorCode, RequestValidationError
from .._models.flows import Flow, FlowStep, FlowStepTest
from .._pipeline import Endpoint, Rule
from .._validators import check_text as _text
from .._validators import validate_uuid
from .._validators import wire_id as _text_id
from ._base import Resource, fields, uuid_path

__all__ = ["FlowSteps", "Flows"]

# A step key, a position or a uuid; never "." or "..", which a server could read as
# a dot-segment, nor anything that needs escaping to stay one path segment.
_STEP = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}", re.ASCII)


def _step(value: object, field: str) -> None:
    if isinstance(value, uuid.UUID):
        return
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return
    if isinstance(value, str) and _STEP.fullmatch(value):
        return
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    raise RequestValidationError(
        field,
        ErrorCode.VALIDATION_ERROR,
        f"{field} must be the step's uuid, key or position (letters, digits, '_', '-',"
        f" '.', ':', at most 128; a position from 1), got {shown}",
    )


def _one_of(*choices: str) -> Any:
    def check(value: object, field: str) -> None:
        if value not in choices:
            raise RequestValidationError(
                field,
                ErrorCode.VALIDATION_ERROR,
                f"{field} must be one of {', '.join(choices)}",
            )

    return check


def _limit(value: object, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 50:
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f"{field} must be a whole number from 1 to 50"
        )


def _optional_uuids(*names: str) -> tuple[Rule, ...]:
    return tuple(Rule(name, validate_uuid, required=False) for name in names)


# Editing a deployed flow answers 409: the error says how to get out of it.
_DEPLOYED = ((409, "undeploy", "undeploy the flow first: client.flows.undeploy(flow_id)"),)
_FLOW_STEP = (*uuid_path("flow_id"), Rule("step", _step, "path"))

# Referenced only (another page names it): correcting the path is a one-line change here.
DEPLOY = Endpoint(
    "flows.deploy",
    "POST",
    "/flow/{flow_id}/deploy",
    rules=uuid_path("flow_id"),
    source="referenced",
)
UNDEPLOY = Endpoint("flows.undeploy", "POST", "/flow/{flow_id}/undeploy", uuid_path("flow_id"))
STEPS_CREATE = Endpoint(
    "flows.steps.create",
    "POST",
    "/flow/{flow_id}/steps",
    rules=(
        *uuid_path("flow_id"),
        Rule("kind", _one_of("trigger", "action")),
        Rule("app_uid", _text),
        Rule("branch_key", _one_of("true", "false"), required=False),
        *_optional_uuids(
            "agent_uuid", "app_connection_uuid", "insert_after_step_uuid", "parent_step_uuid"
        ),
    ),
    hints=_DEPLOYED,
)
STEPS_UPDATE = Endpoint(
    "flows.steps.update",
    "PATCH",
    "/flow/{flow_id}/steps/{step}",
    rules=(*_FLOW_STEP, *_optional_uuids("agent_uuid", "app_connection_uuid")),
    hints=_DEPLOYED,
)
STEPS_TEST = Endpoint(
    "flows.steps.test",
    "POST",
    "/flow/{flow_id}/steps/{step}/test",
    rules=(*_FLOW_STEP, Rule("limit", _limit, required=False)),
)

_flow = decoder(Flow)
_flow_step = decoder(FlowStep)
_step_test = decoder(FlowStepTest)


def _branch(value: Any) -> Any:
    # The API's branch keys are the strings "true" and "false".
    return ("true" if value else "false") if isinstance(value, bool) else value


class FlowSteps(Resource):
    """A flow's steps: `create` (the trigger first, then actions), `update`, and
    `test`. A deployed flow cannot be edited: `create` and `update` raise
    `ConflictError` (409) until `client.flows.undeploy(flow_id)`."""

    __slots__ = ()

    async def create(
        self,
        flow_id: str | Any,
        *,
        kind: str,
        app_uid: str,
        trigger_key: str | None = None,
        action_key: str | None = None,
        app_connection_uuid: str | Any | None = None,
        agent_uuid: str | Any | None = None,
        config: Mapping[str, Any] | None = None,
        insert_after_step_uuid: str | Any | None = None,
        parent_step_uuid: str | Any | None = None,
        branch_key: str | bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FlowStep:
        """Add a step to the flow `flow_id`: `kind` "trigger" (the first step, with
        `trigger_key`; a flow has one) or "action" (with `action_key`), of the app
        `app_uid`.

        `app_connection_uuid` is needed for apps that connect to an outside service,
        `agent_uuid` for the Agents app's actions; `config` may template values from
        earlier steps as `{{stepN.field}}`. The step goes last, or after
        `insert_after_step_uuid`, or under the if_condition step `parent_step_uuid`
        on its `branch_key` branch (True/"true" or False/"false"). Ids are checked as
        UUIDs before sending. Returns the new step (status "draft").

        `ConflictError` when the flow is deployed: undeploy it first.
        """
        payload = fields(
            kind=kind,
            app_uid=app_uid,
            trigger_key=trigger_key,
            action_key=action_key,
            app_connection_uuid=_text_id(app_connection_uuid),
            agent_uuid=_text_id(agent_uuid),
            config=None if config is None else dict(config),
            insert_after_step_uuid=_text_id(insert_after_step_uuid),
            parent_step_uuid=_text_id(parent_step_uuid),
            branch_key=_branch(branch_key),
        )
        result: FlowStep = await self._send(
            STEPS_CREATE,
            _flow_step,
            path={"flow_id": flow_id},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def update(
        self,
        flow_id: str | Any,
        step: str | int | Any,
        *,
        app_uid: str | None = None,
        trigger_key: str | None = None,
        action_key: str | None = None,
        agent_uuid: str | Any | None = None,
        app_connection_uuid: str | Any | None = None,
        config: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FlowStep:
        """Change the step `step` (its uuid, key or position) of the flow `flow_id`:
        only the fields given are sent (a new `app_uid` clears the step's trigger,
        action, config and connection; to set a field to null, use `extra_body`).
        Returns the step as updated.

        `ConflictError` when the flow is deployed: undeploy it first.
        """
        payload = fields(
            app_uid=app_uid,
            trigger_key=trigger_key,
            action_key=action_key,
            agent_uuid=_text_id(agent_uuid),
            app_connection_uuid=_text_id(app_connection_uuid),
            config=None if config is None else dict(config),
        )
        result: FlowStep = await self._send(
            STEPS_UPDATE,
            _flow_step,
            path={"flow_id": flow_id, "step": step},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def test(
        self,
        flow_id: str | Any,
        step: str | int | Any,
        *,
        persist: bool | None = None,
        data: Mapping[str, Any] | None = None,
        sample_uuid: str | None = None,
        limit: int | None = None,
        input_data: Mapping[str, Any] | None = None,
        config_override: Mapping[str, Any] | None = None,
        dry_run: bool | None = None,
        live: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FlowStepTest:
        """Test the step `step` (its uuid, key or position) of the flow `flow_id`.

        A trigger fetches recent records from its source (at most `limit`, from 1 to
        50, checked before sending) and keeps the latest, or `sample_uuid`, or the
        manual `data` given. An action runs its config (with `config_override`, on
        `input_data` instead of the earlier steps' results): read-only actions live,
        others as a dry run, unless `dry_run` or `live` says otherwise (`live=True`
        really sends messages or writes records).

        With `persist` (the server's default) the result is saved and the step
        becomes "active", which `deploy` needs. `NotFoundError` when a trigger finds
        no sample: produce an event or pass `data`.
        """
        payload = fields(
            persist=persist,
            data=None if data is None else dict(data),
            sample_uuid=sample_uuid,
            limit=limit,
            input_data=None if input_data is None else dict(input_data),
            config_override=None if config_override is None else dict(config_override),
            dry_run=dry_run,
            live=live,
        )
        result: FlowStepTest = await self._send(
            STEPS_TEST,
            _step_test,
            path={"flow_id": flow_id, "step": step},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


class Flows(Resource):
    """Flows (a trigger and the actions it runs): `deploy`, `undeploy`, and their
    steps through `client.flows.steps`."""

    __slots__ = ()

    @property
    def steps(self) -> FlowSteps:
        """A flow's steps: add, update, test."""
        return FlowSteps(self._client, raw=self._raw)

    async def deploy(
        self,
        flow_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Flow:
        """Deploy the flow `flow_id` (a UUID): it starts running, and its steps can no
        longer be edited until `undeploy`. Every step must have passed a test
        (`steps.test` with `persist`). Returns the flow. Referenced path: only
        another page of the docs names it."""
        return await self._flow(DEPLOY, flow_id, extra_headers, extra_query, extra_body)

    async def undeploy(
        self,
        flow_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Flow:
        """Take the flow `flow_id` (a UUID) back to draft: it stops running and its
        steps can be edited again. Returns the flow with its steps."""
        return await self._flow(UNDEPLOY, flow_id, extra_headers, extra_query, extra_body)

    async def _flow(
        self,
        endpoint: Endpoint,
        flow_id: Any,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, Any] | None,
        extra_body: Mapping[str, Any] | None,
    ) -> Flow:
        result: Flow = await self._send(
            endpoint,
            _flow,
            path={"flow_id": flow_id},
            json={},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result
