"""The SDK's one cattrs converter, and the reading of the API's envelopes.

Structuring is lenient by design (the API's documents disagree on field names
and types): keys may be camelCase, snake_case or a listed alias; unknown keys are
ignored; a value that cannot be read into an optional field becomes None. Only a
missing or unreadable required field fails, as `ResponseDecodeError`.
"""

from __future__ import annotations

import math
import sys
import types
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs

from ._exceptions import ResponseDecodeError

__all__ = [
    "EXTRA_KEYS",
    "converter",
    "decoder",
    "decoder_for",
    "page_parts",
    "structure",
    "structure_all",
    "unstructure",
    "unwrap",
]

T = TypeVar("T")

converter = cattrs.Converter()

EXTRA_KEYS = "extra_keys"
"""Field metadata: this dict field takes the keys of an object that no field takes
(those whose value is a string or null), merged under a nested object of its own
name; `Contact.custom_fields` is one (the API sends custom fields as top-level keys)."""


class _Unreadable(Exception):
    pass


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise _Unreadable


def _int(value: Any, _: type) -> int:
    if isinstance(value, bool):
        raise _Unreadable
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text.startswith("-") else text
        # isdigit() alone would admit "²" and 5,000-digit strings, which int() refuses.
        if digits.isascii() and digits.isdigit() and len(digits) <= 18:
            return int(text)
    raise _Unreadable


def _float(value: Any, _: type) -> float:
    if isinstance(value, bool):
        raise _Unreadable
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise _Unreadable from None
    if not math.isfinite(number):
        raise _Unreadable
    return number


def _bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise _Unreadable


# Before Python 3.11 fromisoformat refuses the API's "...Z": trying it on the
# string as it comes would fail (an exception, slow) for every datetime.
_ISOFORMAT_READS_Z = sys.version_info >= (3, 11)


def _datetime(value: Any, _: type) -> datetime:
    if _ISOFORMAT_READS_Z and type(value) is str:
        # What fromisoformat takes unchanged, the strip and the "Z" rewrite below
        # would read the same: skip them.
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):  # Python 3.10's fromisoformat does not know "Z"
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise _Unreadable from None
        # Laravel writes "2024-01-15 10:30:00" in the app's zone, UTC by default:
        # every datetime the SDK returns is aware, so they compare with each other.
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds, by their size
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise _Unreadable from None
    raise _Unreadable


converter.register_structure_hook(str, _str)
converter.register_structure_hook(int, _int)
converter.register_structure_hook(float, _float)
converter.register_structure_hook(bool, _bool)
converter.register_structure_hook(datetime, _datetime)


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) < len(get_args(tp)):
            return (args[0] if len(args) == 1 else Union[tuple(args)]), True  # noqa: UP007
    return tp, False


# Values of these types are already what their hook would return: the hot loop
# takes them as they are instead of calling the hook.
_AS_IS: dict[Any, Callable[[Any, Any], Any]] = {str: _str, int: _int, bool: _bool}


def _make_attrs_structure(cls: type[Any]) -> Callable[[Any, Any], Any]:
    attrs.resolve_types(cls)
    # Everything a key needs, looked up once per class: the argument name, the
    # type a value may have to be taken as is, the hook and its type, and
    # whether a bad value is dropped (optional) or fatal. The loop below runs
    # for every key of every object of every response.
    by_key: dict[str, tuple[str, Any, Callable[[Any, Any], Any], Any, bool]] = {}
    required: list[str] = []
    # The field (a dict) that keys no field takes land in, when a model has one
    # (`extra_keys()` in its metadata): those whose value is a string or null.
    rest: str | None = None
    for field in attrs.fields(cls):
        if not field.init:
            continue
        name = field.alias or field.name
        if field.metadata.get(EXTRA_KEYS):
            rest = name
        inner, optional = _strip_optional(field.type)
        if inner is Any:
            hook: Callable[[Any, Any], Any] = _identity
        else:
            hook = converter.get_structure_hook(inner)
        as_is = inner if _AS_IS.get(inner) is hook else None
        entry = (name, as_is, hook, inner, optional or field.default is not attrs.NOTHING)
        for key in (field.name, _camel(field.name), *field.metadata.get("aliases", ())):
            by_key.setdefault(key, entry)
        if field.default is attrs.NOTHING:
            required.append(name)
    get_entry = by_key.get
    # A page's objects almost always share their keys, in the same order: for each
    # such shape a function is compiled once that reads the values by position, with
    # no lookup per key (see `_compile_shape`). None: a shape the loop below reads.
    shapes: dict[tuple[Any, ...], Callable[[Any], Any] | None] = {}

    def structure(data: Any, _: Any) -> Any:
        if type(data) is dict:
            keys = tuple(data)
            try:
                read = shapes[keys]
            except KeyError:
                # Compiling costs far more than one reading: only as many shapes as
                # the cache keeps, each of a bounded size, so a server varying or
                # multiplying its keys gets the general loop, never a compile per object.
                if len(shapes) >= _MAX_SHAPES or len(keys) > _MAX_SHAPE_KEYS:
                    return generic(data)
                read = shapes[keys] = _compile_shape(cls, keys, by_key, required, rest)
            if read is not None:
                return read(data)
        return generic(data)

    def generic(data: Any) -> Any:
        if type(data) is not dict and not isinstance(data, Mapping):
            raise _Unreadable
        kwargs: dict[str, Any] = {}
        converted: set[str] | None = None
        extra: dict[str, Any] = {}
        for key, value in data.items():
            entry = get_entry(key)
            if entry is None:
                if rest is not None and type(key) is str and (value is None or type(value) is str):
                    extra[key] = value
                continue
            if value is None:
                continue
            name, as_is, hook, inner, lenient = entry
            if type(value) is as_is:
                # The first key of a field that holds its type wins, over an earlier
                # one that had to be converted: Laravel's integer `id` before `uuid`.
                if name not in kwargs or (converted is not None and name in converted):
                    kwargs[name] = value
                    if converted is not None:
                        converted.discard(name)
                continue
            if name in kwargs:
                continue
            try:
                kwargs[name] = hook(value, inner)
            except Exception:
                if not lenient:
                    raise
                continue
            if converted is None:
                converted = set()
            converted.add(name)
        for name in required:
            if name not in kwargs:
                raise _Unreadable
        if extra:
            assert rest is not None
            # A nested object of the field's own name (an older shape) wins.
            kwargs[rest] = {**extra, **kwargs.get(rest, {})}
        return cls(**kwargs)

    _SHAPES[structure] = shapes
    return structure


def _identity(value: Any, _: Any) -> Any:
    return value


# The compiled readers of each model class, by its structure hook: a compiled shape
# reading a nested object (a call's agent) looks its reader up directly.
_SHAPES: dict[Callable[[Any, Any], Any], dict[tuple[Any, ...], Callable[[Any], Any] | None]] = {}
_NO_SHAPES: dict[tuple[Any, ...], Callable[[Any], Any] | None] = {}


# Per class: enough for every shape one endpoint sends, few enough that a hostile
# server varying its keys cannot grow memory.
_MAX_SHAPES = 32
_MAX_SHAPE_KEYS = 64


def _plain(cls: type[Any]) -> bool:
    """Whether `cls` keeps its fields in a __dict__ and its __init__ does nothing but
    store them (no factory, converter, validator, alias or post-init hook)."""
    if "__slots__" in cls.__dict__ or hasattr(cls, "__attrs_post_init__"):
        return False
    return all(
        f.init
        and f.alias == f.name
        and f.converter is None
        and f.validator is None
        and not (isinstance(f.default, attrs.Factory) and f.default.takes_self)  # type: ignore[arg-type]
        for f in attrs.fields(cls)
    )


def _compile_shape(
    cls: type[Any],
    keys: tuple[Any, ...],
    by_key: dict[str, tuple[str, Any, Callable[[Any, Any], Any], Any, bool]],
    required: list[str],
    rest: str | None = None,
) -> Callable[[Any], Any] | None:
    """A function reading a dict with exactly these keys, in this order, into `cls`,
    as `_make_attrs_structure`'s loop would; None when two keys name one field (the
    loop's precedence rules then apply) or a key is not a string."""
    entries: list[tuple[int, tuple[str, Any, Callable[[Any, Any], Any], Any, bool]]] = []
    unknown: list[int] = []
    names: set[str] = set()
    for index, key in enumerate(keys):
        if type(key) is not str:
            return None
        entry = by_key.get(key)
        if entry is None:
            if rest is not None:
                unknown.append(index)
            continue
        if entry[0] in names:
            return None
        names.add(entry[0])
        entries.append((index, entry))
    if any(name not in names for name in required):
        return None  # the loop raises the error
    env: dict[str, Any] = {"cls": cls, "_Unreadable": _Unreadable}
    plain = _plain(cls)
    lines = ["def read(data):"]
    unpacked = ", ".join(f"v{i}" for i in range(len(keys)))
    if keys:
        lines.append(f"    {unpacked}{',' if len(keys) == 1 else ''} = data.values()")
    # A dict-backed class whose __init__ only stores its arguments gets its __dict__
    # in one step (a frozen attrs __init__ sets each field in turn): built here.
    lines.append("    kw = _defaults.copy()" if plain else "    kw = {}")
    for index, entry in entries:
        lines.extend(_field_lines(index, entry, env))
    for name in required:
        lines.append(f"    if {name!r} not in kw:")
        lines.append("        raise _Unreadable")
    if unknown:
        # The keys themselves are passed in `env`, never written into the source.
        lines.append("    ex = {}")
        for index in unknown:
            env[f"k{index}"] = keys[index]
            lines.append(f"    if v{index} is None or type(v{index}) is str:")
            lines.append(f"        ex[k{index}] = v{index}")
        lines.append("    if ex:")
        lines.append(f"        kw[{rest!r}] = {{**ex, **kw[{rest!r}]}} if {rest!r} in kw else ex")
    if plain:
        env["_defaults"] = {
            f.name: f.default
            for f in attrs.fields(cls)
            if f.default is not attrs.NOTHING and not isinstance(f.default, attrs.Factory)  # type: ignore[arg-type]
        }
        for number, f in enumerate(attrs.fields(cls)):
            if isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
                # A fresh value for each object, as __init__ would make it.
                env[f"f{number}"] = f.default.factory
                lines.append(f"    if {f.name!r} not in kw:")
                lines.append(f"        kw[{f.name!r}] = f{number}()")
        env["_new"], env["_set"] = object.__new__, object.__setattr__
        lines.append("    obj = _new(cls)")
        lines.append("    _set(obj, '__dict__', kw)")
        lines.append("    return obj")
    else:
        lines.append("    return cls(**kw)")
    # The source holds field names and indices only: no key or value from a reply.
    exec("\n".join(lines), env)
    read: Callable[[Any], Any] = env["read"]
    return read


def _field_lines(
    index: int,
    entry: tuple[str, Any, Callable[[Any, Any], Any], Any, bool],
    env: dict[str, Any],
) -> list[str]:
    """The source reading value `v{index}` into `kw[name]`: first the common case of
    its type, inline (a string for a string, an ISO string for a datetime, a nested
    object by its shape's reader), then, for any other value but null, the hook."""
    name, as_is, hook, inner, lenient = entry
    v, key = f"v{index}", repr(name)
    env[f"h{index}"], env[f"t{index}"], env[f"a{index}"] = hook, inner, as_is
    if hook is _identity:
        return [f"    if {v} is not None:", f"        kw[{key}] = {v}"]

    def guarded(body: list[str], pad: str) -> list[str]:
        if not lenient:
            return [pad + line for line in body]
        return [
            f"{pad}try:",
            *(f"{pad}    {line}" for line in body),
            f"{pad}except Exception:",
            f"{pad}    pass",
        ]

    lines: list[str] = []
    sequence = _SEQUENCES.get(hook)
    nested = _SHAPES.get(hook)
    if nested is not None:
        # A nested object (a call's agent) of a shape already compiled: its reader,
        # without the hook's call and its own shape lookup.
        env[f"n{index}"] = nested
        lines += [f"    if type({v}) is dict and (r := n{index}.get(tuple({v}))) is not None:"]
        lines += guarded([f"kw[{key}] = r({v})"], "        ")
    elif hook is _float:
        env["_isfinite"] = math.isfinite
        lines += [f"    if type({v}) is float and _isfinite({v}):", f"        kw[{key}] = {v}"]
    elif sequence is not None:
        # A JSON array: its items read in place; objects (a contact's tags) each by
        # its shape's reader, as above.
        env[f"m{index}"], env[f"i{index}"], env[f"u{index}"] = sequence
        item_shapes = _SHAPES.get(sequence[1])
        if item_shapes is None:
            body = [f"kw[{key}] = m{index}([i{index}(e, u{index}) for e in {v}])"]
        else:
            env[f"n{index}"] = item_shapes
            body = [
                "out = []",
                f"for e in {v}:",
                f"    r = n{index}.get(tuple(e)) if type(e) is dict else None",
                f"    out.append(r(e) if r is not None else i{index}(e, u{index}))",
                f"kw[{key}] = m{index}(out)",
            ]
        lines += [f"    if type({v}) is list:", *guarded(body, "        ")]
    elif as_is is not None:
        lines += [f"    if type({v}) is a{index}:", f"        kw[{key}] = {v}"]
        if as_is is str:
            # An integer where a string is expected (Laravel's ids), as `_str` reads it.
            lines += [f"    elif type({v}) is int:", f"        kw[{key}] = str({v})"]
    call = [f"kw[{key}] = h{index}({v}, t{index})"]
    if hook is _datetime and _ISOFORMAT_READS_Z and not lines:
        # An ISO string, as `_datetime` reads it first, without its call; anything
        # else (another format, a timestamp) goes to it.
        env["_fromiso"], env["_utc"] = datetime.fromisoformat, timezone.utc
        lines += [
            f"    if type({v}) is str:",
            "        try:",
            f"            x = _fromiso({v})",
            "        except ValueError:",
            "            x = None",
            "        if x is not None:",
            f"            kw[{key}] = x if x.tzinfo is not None else x.replace(tzinfo=_utc)",
            "        else:",
            *guarded(call, "            "),
        ]
    if not lines:
        return [f"    if {v} is not None:", *guarded(call, "        ")]
    return [*lines, f"    elif {v} is not None:", *guarded(call, "        ")]


def _make_attrs_unstructure(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
    names = [(f.name, _camel(f.name)) for f in attrs.fields(cls) if f.init]

    def unstructure(obj: Any) -> dict[str, Any]:
        out = {}
        for name, wire in names:
            value = getattr(obj, name)
            if value is not None:
                out[wire] = converter.unstructure(value)
        return out

    return unstructure


def _is_sequence(tp: Any) -> bool:
    origin = get_origin(tp)
    if origin is list:
        return True
    args = get_args(tp)
    return origin is tuple and len(args) == 2 and args[1] is Ellipsis


def _make_sequence_structure(tp: Any) -> Callable[[Any, Any], Any]:
    # cattrs would iterate whatever it is given: a string into its characters, an
    # object into its keys. Only a JSON array is a list.
    inner = get_args(tp)[0]
    item = _identity if inner is Any else converter.get_structure_hook(inner)
    make = tuple if get_origin(tp) is tuple else list

    def structure(value: Any, _: Any) -> Any:
        if type(value) is not list and type(value) is not tuple:
            raise _Unreadable
        return make([item(element, inner) for element in value])

    # What a compiled shape needs to read a JSON array into this field inline.
    _SEQUENCES[structure] = (make, item, inner)
    return structure


_SEQUENCES: dict[Callable[[Any, Any], Any], tuple[Any, Callable[[Any, Any], Any], Any]] = {}


converter.register_structure_hook_factory(_is_sequence, _make_sequence_structure)
converter.register_structure_hook_factory(attrs.has, _make_attrs_structure)
converter.register_unstructure_hook_factory(attrs.has, _make_attrs_unstructure)


def structure(data: Any, cls: type[T]) -> T:
    """`data` (decoded JSON) as a `cls`; `ResponseDecodeError` when it cannot be."""
    try:
        return converter.structure(data, cls)
    except Exception as exc:
        raise _decode_error(data, cls) from exc


def structure_all(items: list[Any], cls: type[T]) -> tuple[T, ...]:
    """`items` (decoded JSON objects) as `cls`es; `ResponseDecodeError` naming the
    first that cannot be read."""
    hook = converter.get_structure_hook(cls)
    get = _SHAPES.get(hook, _NO_SHAPES).get
    try:
        # Each item straight to its shape's reader when there is one (as the hook
        # would find it), the hook otherwise.
        return tuple(
            [
                read(item)
                if type(item) is dict and (read := get(tuple(item))) is not None
                else hook(item, cls)
                for item in items
            ]
        )
    except Exception:
        read = decoder_for(cls)
        return tuple(map(read, items))  # raises the error of the first bad item


def decoder_for(cls: type[T]) -> Callable[[Any], T]:
    """`structure(_, cls)` with the converter's hook for `cls` looked up once, for
    reading many objects of one class (the items of a page)."""
    hook = converter.get_structure_hook(cls)

    def read(data: Any) -> T:
        try:
            result: T = hook(data, cls)
        except Exception as exc:
            raise _decode_error(data, cls) from exc
        return result

    return read


def _decode_error(data: Any, cls: type[Any]) -> ResponseDecodeError:
    return ResponseDecodeError(f"the response does not describe a {cls.__name__}: {_shape(data)}")


def unstructure(obj: Any) -> Any:
    """A model as it goes on the wire: camelCase keys, None values left out."""
    return converter.unstructure(obj)


def decoder(cls: type[T]) -> Callable[[Any], T]:
    """A function that reads one `cls` from a response body, unwrapping the envelope."""

    def decode(body: Any) -> T:
        return structure(unwrap(body), cls)

    decode.__qualname__ = f"decoder({cls.__name__})"
    return decode


_ENVELOPE_KEYS = frozenset({"success", "message", "data", "meta", "links"})


def unwrap(body: Any) -> Any:
    """The `data` of a success envelope `{"success": true, "message", "data"}`, or the
    body itself for endpoints that answer with a bare object."""
    if (
        isinstance(body, dict)
        and "data" in body
        and ("success" in body or body.keys() <= _ENVELOPE_KEYS)
    ):
        return body["data"]
    return body


_PAGE_FIELDS = ("current_page", "last_page", "per_page", "total")


def page_parts(body: Any) -> tuple[list[Any], dict[str, int | None], bool | None]:
    """The raw items and paging numbers of a list response, in any of its shapes.

    Shapes seen in the docs: a Laravel paginator in `data` (`{"current_page", "data":
    [...], ...}`), `{"data": {"items": [...]}}`, a list in `data` with a `meta` object
    beside it, and a bare list.
    """
    data = unwrap(body)
    numbers: dict[str, Any] = {}
    has_more: bool | None = None
    containers: list[Any] = [body, data]
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        for key in ("data", "items", "results"):
            if isinstance(data.get(key), list):
                items = data[key]
                break
        else:
            raise ResponseDecodeError(f"the response is not a list: {_shape(body)}")
    else:
        raise ResponseDecodeError(f"the response is not a list: {_shape(body)}")
    for container in containers:
        if not isinstance(container, dict):
            continue
        for source in (container, container.get("meta"), container.get("pagination")):
            if isinstance(source, dict):
                more = source.get("has_more", source.get("hasMore"))
                if has_more is None and isinstance(more, bool):
                    has_more = more
                for name, camel in _PAGE_KEYS:
                    if name in source and name not in numbers:
                        numbers[name] = source[name]
                    elif camel in source and name not in numbers:
                        numbers[name] = source[camel]
    return items, {name: _maybe_int(numbers.get(name)) for name in _PAGE_FIELDS}, has_more


_PAGE_KEYS = [(name, _camel(name)) for name in _PAGE_FIELDS]


def _maybe_int(value: Any) -> int | None:
    try:
        number = _int(value, int)
    except _Unreadable:
        return None
    return number if number >= 0 else None


def _shape(data: Any) -> str:
    if isinstance(data, dict):
        keys = ", ".join(sorted(map(str, data))[:8])
        return f"an object with keys [{keys}]"
    return f"a {type(data).__name__}"
