"""Resources declared once: the internal record is the declaration, its view follows.

A service keeps a resource as a dataclass shaped for its hot path (``Queue``, ``Session``,
``Topic``). ``@record_view(Record, key=...)`` on a ``RecordView`` subclass gives that view the
record's fields (names, types, defaults), so a field is written once; what follows from it:

* ``View.of(record)``: a deep copy of the record as its view (nested records become their
  views; a ``dict`` of records becomes a *list* of views, the one collection shape of every
  view, each child carrying its key fields);
* ``view.to_record()``: a brand-new record from a (validated) view, children included;
* ``View.merge(target, source)``: the project's merge rule on records: children keyed alike
  merge recursively, everything else takes the source's value, nothing is removed;
* the JSON Schema, from pydantic.

A record field opts out or adapts with ``dataclasses.field(metadata=...)``: ``VIEW_EXCLUDE``
keeps it out (runtime caches, derived values; it needs a default or ``init=False``);
``view_as(Converter)`` stores it in another type (epoch seconds as an ISO 8601 timestamp);
``view_named("queue_name")`` gives it another name in the view (the view's field names are a
published, stable format; the record's are the code's). A field declared in the view's own
body wins (a description, a validator, a stricter type).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from pydantic import ConfigDict, Field, create_model

from hoarfrost.core.views import ViewModel

R = TypeVar("R")
V = TypeVar("V", bound="RecordView")

# ``dataclasses.field(metadata=VIEW_EXCLUDE)``: the field is not part of the view.
VIEW_EXCLUDE: Mapping[str, Any] = {"view": False}


@dataclass(frozen=True, slots=True)
class Converter:
    """How a record field is stored in its view when the two types differ."""

    view_type: Any
    to_view: Callable[[Any], Any]
    to_record: Callable[[Any], Any]


def _epoch_to_datetime(value: float | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromtimestamp(value, dt.UTC)


def _datetime_to_epoch(value: dt.datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()


# Epoch seconds (a float on the hot path) as an ISO 8601 timestamp in the view.
EPOCH = Converter(dt.datetime, _epoch_to_datetime, _datetime_to_epoch)
OPTIONAL_EPOCH = Converter(dt.datetime | None, _epoch_to_datetime, _datetime_to_epoch)


def view_as(converter: Converter, view_name: str | None = None) -> dict[str, Any]:
    """Field metadata storing the field through ``converter`` (under ``view_name`` if given)."""
    return {"view_as": converter, **view_named(view_name)} if view_name else {"view_as": converter}


def view_named(view_name: str | None) -> dict[str, Any]:
    """Field metadata naming the field ``view_name`` in the view."""
    return {"view_name": view_name} if view_name else {}


@dataclass(frozen=True, slots=True)
class _Slot:
    """How one record field maps onto its view field."""

    name: str  # the record's attribute
    field: str  # the view's field
    init: bool
    converter: Converter | None
    child: type[RecordView] | None  # a record (or a collection of records) of this type
    kind: str  # "one", "list", "dict" (a keyed collection: a list in the view)


class RecordView(ViewModel):
    """A view whose fields come from a record type (see the module docstring)."""

    model_config = ConfigDict(from_attributes=True)

    record_type: ClassVar[type[Any]]
    key_fields: ClassVar[tuple[str, ...]] = ()
    _slots: ClassVar[tuple[_Slot, ...]] = ()

    if TYPE_CHECKING:  # the fields are the record's, added at class creation
        def __getattr__(self, name: str) -> Any: ...

        def __setattr__(self, name: str, value: Any) -> None: ...

    # -- record -> view -------------------------------------------------------------------
    @classmethod
    def of(cls: type[V], record: Any) -> V:
        """A deep copy of ``record`` as this view."""
        values: dict[str, Any] = {}
        for slot in cls._slots:
            value = getattr(record, slot.name)
            if slot.converter is not None:
                value = slot.converter.to_view(value)
            elif slot.child is not None:
                value = _child_views(slot, value)
            values[slot.field] = value
        return cls.model_validate(values)

    # -- view -> record -------------------------------------------------------------------
    def to_record(self, **values: Any) -> Any:
        """A new record from this view (runtime-only fields are rebuilt by the record);
        ``values`` supply record fields the view does not hold (the scope's account, say)."""
        init: dict[str, Any] = {}
        late: dict[str, Any] = {}
        for slot in self._slots:
            value = getattr(self, slot.field)
            if slot.converter is not None:
                value = slot.converter.to_record(value)
            elif slot.child is not None:
                value = _child_records(slot, value)
            elif isinstance(value, list):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            (init if slot.init else late)[slot.name] = value
        for name, value in values.items():
            (late if name in late else init)[name] = value
        record = self.record_type(**init)
        for name, value in late.items():
            setattr(record, name, value)
        return record

    # -- merge ----------------------------------------------------------------------------
    @classmethod
    def merge(cls, target: Any, source: Any) -> None:
        """Overlay ``source`` (a record built from a view) on ``target``: keyed children merge
        by key and recursively, every other field takes the source's value."""
        for slot in cls._slots:
            value = getattr(source, slot.name)
            if slot.kind == "dict" and slot.child is not None:
                merge_keyed(getattr(target, slot.name), value, slot.child.merge)
            else:
                setattr(target, slot.name, value)


def merge_keyed(target: dict[Any, Any], source: Mapping[Any, Any],
                merge: Callable[[Any, Any], None] | None = None) -> None:
    """The one merge rule for a keyed collection: an existing key takes the source's resource
    (or ``merge(old, new)`` when its children must merge too), a new key is added, nothing is
    removed."""
    for key, resource in source.items():
        existing = target.get(key)
        if existing is None or merge is None:
            target[key] = resource
        else:
            merge(existing, resource)


def _child_views(slot: _Slot, value: Any) -> Any:
    child = cast(type[RecordView], slot.child)
    if value is None:
        return None
    if slot.kind == "one":
        return child.of(value)
    if slot.kind == "list":
        return [child.of(item) for item in value]
    return [child.of(item) for item in value.values()]


def _key_of(view: RecordView) -> Any:
    """The key a record's parent files it under: its key field's value (a tuple for several).
    A function, not a method, so a resource may have a field called ``key`` (S3 objects do)."""
    values = tuple(getattr(view, name) for name in view.key_fields)
    return values[0] if len(values) == 1 else values


def _child_records(slot: _Slot, value: Any) -> Any:
    if value is None:
        return None
    if slot.kind == "one":
        return value.to_record()
    if slot.kind == "list":
        return [item.to_record() for item in value]
    records: dict[Any, Any] = {}
    for item in value:
        key = _key_of(item)
        if key in records:
            raise ValueError(f"{type(item).__name__} {key!r} appears twice")
        records[key] = item.to_record()
    return records


# -- declaring ------------------------------------------------------------------------------
_VIEWS: dict[type[Any], type[RecordView]] = {}


def view_of_record(record: type[Any]) -> type[RecordView] | None:
    """The view declared for a record type, if any."""
    return _VIEWS.get(record)


def record_view(record: type[Any], *, key: str | Iterable[str] = (),
                exclude: Iterable[str] = ()) -> Callable[[type[V]], type[V]]:
    """Class decorator: the decorated ``RecordView`` gets ``record``'s fields.

    ``key`` names the view field(s) identifying one resource among its siblings (what a keyed
    collection of them is keyed by, and what merge matches on). A record field that is a
    record type with a view, or a list or ``dict[key, record]`` of them, becomes that view, a
    list of it, or a list of it keyed by its own key fields."""

    key_fields = (key,) if isinstance(key, str) else tuple(key)
    excluded = set(exclude)

    def declare(cls: type[V]) -> type[V]:
        hints = typing.get_type_hints(record, include_extras=True)
        declared = set(cls.model_fields)
        fields: dict[str, Any] = {}
        slots: list[_Slot] = []
        for item in dataclasses.fields(record):
            if item.metadata.get("view") is False or item.name in excluded:
                continue
            converter = item.metadata.get("view_as")
            view_name = item.metadata.get("view_name", item.name)
            annotation, child, kind = _view_annotation(hints[item.name], converter)
            slots.append(_Slot(item.name, view_name, item.init, converter, child, kind))
            if view_name in declared:
                continue
            fields[view_name] = (annotation, _default(item, kind, converter))
        missing = [name for name in key_fields if name not in {slot.field for slot in slots}]
        if missing:
            raise TypeError(f"{cls.__name__}: key field(s) {missing} are not fields of {record.__name__}")
        view = create_model(
            cls.__name__, __base__=cls, __module__=cls.__module__, __doc__=cls.__doc__, **fields,
        )
        view.__qualname__ = cls.__qualname__
        view.record_type = record
        view.key_fields = key_fields
        view._slots = tuple(slots)
        _VIEWS[record] = view
        return view

    return declare


def _default(item: dataclasses.Field[Any], kind: str, converter: Converter | None) -> Any:
    """The view field's default: the record's, in the view's type (a partial view for merge
    leaves out what it does not change)."""
    if kind == "dict":
        return Field(default_factory=list)
    if item.default is not dataclasses.MISSING:
        return item.default if converter is None else converter.to_view(item.default)
    if item.default_factory is not dataclasses.MISSING:
        factory = item.default_factory
        if converter is None:
            return Field(default_factory=factory)
        return Field(default_factory=lambda: converter.to_view(factory()))
    return ...


def _view_annotation(hint: Any, converter: Converter | None) -> tuple[Any, type[RecordView] | None, str]:
    """The view field's type for a record field's type, and whether it holds child records."""
    if converter is not None:
        return converter.view_type, None, "one"
    optional = False
    args = typing.get_args(hint)
    if _is_union(hint) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            optional, hint = True, rest[0]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    view = _VIEWS.get(hint) if isinstance(hint, type) else None
    annotation: Any = hint
    kind = "one"
    if view is not None:
        annotation = view
    elif origin is list and args and args[0] in _VIEWS:
        view, kind = _VIEWS[args[0]], "list"
        annotation = list.__class_getitem__(view)
    elif origin is dict and len(args) == 2 and args[1] in _VIEWS:
        view, kind = _VIEWS[args[1]], "dict"
        annotation = list.__class_getitem__(view)
    return (annotation | None) if optional else annotation, view, kind


def _is_union(hint: Any) -> bool:
    import types

    return typing.get_origin(hint) in (typing.Union, types.UnionType)
