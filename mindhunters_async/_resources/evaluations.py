"""client.evaluations and client.analyzers: session evaluations, the workspace
default, analyzers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .._converter import decoder
from .._exceptions import ErrorCode, RequestValidationError
from .._models.evaluations import Analyzer, Evaluation, EvaluationSettings, UpdateBehavior
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from ._base import Resource, fields, paging_rules, with_id

__all__ = ["Analyzers", "Evaluations"]

LIST = Endpoint("evaluations.list", "GET", "/evaluations", rules=paging_rules(100))
SET_DEFAULT = Endpoint("evaluations.set_default", "PUT", "/evaluate/default")
ANALYZERS_UPDATE = Endpoint(
    "analyzers.update",
    "PUT",
    "/analyzers/{analyzer_id}",
    rules=(
        Rule("analyzer_id", lambda value, field: _analyzer_id(value, field), "path"),
        Rule("update_behavior", lambda value, field: _behavior(value, field), required=False),
        Rule("analysis_goals", lambda value, field: _text(value, field), required=False),
        Rule("example_values", lambda value, field: _text(value, field), required=False),
    ),
)

_PREFIXES: Final = ("b_", "f_", "p_")
_BEHAVIORS: Final = frozenset(behavior.value for behavior in UpdateBehavior)
_MAX_TEXT: Final = 1000


def _analyzer_id(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.startswith(_PREFIXES) or len(value) < 3:
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be an analyzer id such as 'f_order_number': b_ (a built-in"
            " contact field), f_ (a custom contact field) or p_ (a pipeline stage rule)"
            " and a name",
        )


def _behavior(value: object, field: str) -> None:
    if value not in _BEHAVIORS:
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be an UpdateBehavior: one of {', '.join(sorted(_BEHAVIORS))}",
        )


def _text(value: object, field: str) -> None:
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be text of at most {_MAX_TEXT} characters",
        )


_settings = decoder(EvaluationSettings)


class Evaluations(Resource):
    """Session evaluations (`list`), and the workspace-default evaluation settings
    (`set_default`), which apply to every agent without settings of its own."""

    __slots__ = ()

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        **filters: Any,
    ) -> AsyncPager[Evaluation]:
        """The sessions' evaluations, newest first: `await` for one `Page`, `async for`
        for every `Evaluation`. `per_page` is at most 100; other keyword arguments
        are sent as query filters as given (the docs list none)."""
        return self._pager(
            LIST,
            Evaluation,
            params=filters,
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def set_default(
        self,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **settings: Any,
    ) -> EvaluationSettings:
        """Change the workspace-default evaluation settings, used by every agent
        without its own: the sections given (`sessionization={"timeout_minutes":
        30}`, `text={"emotion_detection": {"enabled": False}}`, `voice=...`) are sent
        as given. Returns the settings as the API answers them."""
        result: EvaluationSettings = await self._send(
            SET_DEFAULT,
            _settings,
            json=fields(**settings),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


class Analyzers(Resource):
    """Analyzers: what the AI extracts from conversations into contact fields or
    pipeline stages, and how it applies it (`update`)."""

    __slots__ = ()

    async def update(
        self,
        analyzer_id: str,
        *,
        update_behavior: UpdateBehavior | str | None = None,
        analysis_goals: str | None = None,
        example_values: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **settings: Any,
    ) -> Analyzer:
        """Configure the analyzer `analyzer_id`: "b_<name>" for a built-in contact
        field, "f_<key>" a custom one, "p_<name>" a pipeline stage rule (checked
        before sending).

        `update_behavior` (an `UpdateBehavior`) says what happens when the AI finds a
        value; `analysis_goals` tells it what to extract, `example_values` gives
        samples (each at most 1,000 characters). A built-in (`b_`) analyzer takes
        only `update_behavior`: anything else is refused before sending. Other
        keyword arguments go into the body as given. Returns the `Analyzer`.
        """
        if isinstance(update_behavior, UpdateBehavior):
            update_behavior = update_behavior.value
        payload = fields(
            update_behavior=update_behavior,
            analysis_goals=analysis_goals,
            example_values=example_values,
        )
        payload.update(settings)
        if isinstance(analyzer_id, str) and analyzer_id.startswith("b_"):
            others = sorted(set(payload) - {"update_behavior"})
            if others:
                raise RequestValidationError(
                    others[0],
                    ErrorCode.VALIDATION_ERROR,
                    f"a built-in analyzer ({analyzer_id[:40]!r}) takes update_behavior only,"
                    f" not {', '.join(others)}",
                )
        result: Analyzer = await self._send(
            ANALYZERS_UPDATE,
            with_id(Analyzer, analyzer_id, "internal_id"),
            path={"analyzer_id": analyzer_id},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result
