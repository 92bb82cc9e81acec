"""Views typed from botocore shapes.

A service often stores a configuration document as its Put operation received it, in the
shape of botocore's model (S3's ``LifecycleConfiguration``, ``CORSConfiguration``, SNS's
``DeliveryPolicy`` members...). ``shape_view(service, shape)`` generates the pydantic model of
that shape once: fields are the members in snake_case, types follow the shape (a timestamp is
a ``datetime``, a blob ``bytes``, a nested structure its own model), so the view's JSON Schema
is the real one and a value keeps its type through JSON. ``from_wire`` / ``to_wire`` convert
between the model and the member-named dict handlers use.

Every member is optional: what a handler stored passed the service's own checks, which may
be looser than the model's ``required`` (and a view written by an older botocore may lack a
member a newer one requires).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from typing import Any, ClassVar, ForwardRef, Optional, Self, cast

from botocore import xform_name
from botocore.model import Shape
from pydantic import (
    BaseModel,
    SerializerFunctionWrapHandler,
    create_model,
    model_serializer,
)

from hoarfrost.core import catalog
from hoarfrost.core.kit.records import Converter
from hoarfrost.core.views import ViewModel

_SCALARS: dict[str, Any] = {
    "string": str, "character": str, "integer": int, "long": int, "short": int, "byte": int,
    "boolean": bool, "float": float, "double": float, "bigdecimal": float, "biginteger": int,
    "timestamp": dt.datetime, "blob": bytes,
}
_RESERVED = frozenset(dir(BaseModel))


class ShapeView(ViewModel):
    """A model generated from a botocore structure shape (see the module docstring)."""

    service_name: ClassVar[str]
    shape_name: ClassVar[str]
    # field name -> (member name, the member's shape)
    members: ClassVar[dict[str, tuple[str, Shape]]]

    @classmethod
    def from_wire(cls, value: Mapping[str, Any]) -> Self:
        """The model of a member-named dict (as handlers store it). A member the shape lacks
        is refused: a view must not silently drop what the service stored."""
        return cls.model_validate(_structure_in(cls, value))

    @model_serializer(mode="wrap")
    def _without_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Members never set are left out of the JSON (as they are on the wire), not ``null``."""
        return {name: value for name, value in handler(self).items() if value is not None}

    def to_wire(self) -> dict[str, Any]:
        """The member-named dict again; members never set are left out."""
        out: dict[str, Any] = {}
        for field_name, (member, shape) in self.members.items():
            value = getattr(self, field_name)
            if value is not None:
                out[member] = _value_out(shape, value)
        return out


def field_name(member: str) -> str:
    """A member's view field name: snake_case, with a trailing ``_`` where pydantic reserves it."""
    name = xform_name(member)
    return f"{name}_" if name in _RESERVED or name.startswith("model_") else name


# -- generating -----------------------------------------------------------------------------
_models: dict[tuple[str, str], type[ShapeView]] = {}
_lock = threading.RLock()


def shape_view(service: str, shape_name: str) -> type[ShapeView]:
    """The model of structure ``shape_name`` of ``service``'s model, generated once."""
    key = (service, shape_name)
    model = _models.get(key)
    if model is None:
        with _lock:
            model = _models.get(key)
            if model is None:
                shape = catalog.service_model(service).shape_for(shape_name)
                if shape.type_name != "structure":
                    raise TypeError(f"{service}:{shape_name} is a {shape.type_name}, not a structure")
                built: dict[str, type[ShapeView]] = {}
                model = _build(service, shape, built)
                namespace = {cls.__name__: cls for cls in built.values()}
                for cls in built.values():
                    cls.model_rebuild(_types_namespace=namespace)
                for name, cls in built.items():
                    _models[(service, name)] = cls
    return model


def _model_name(service: str, shape_name: str) -> str:
    return f"{''.join(part.capitalize() for part in service.split('-'))}{shape_name}View"


def _build(service: str, shape: Shape, built: dict[str, type[ShapeView]]) -> type[ShapeView]:
    existing = _models.get((service, shape.name)) or built.get(shape.name)
    if existing is not None:
        return existing
    members: dict[str, tuple[str, Shape]] = {}
    fields: dict[str, Any] = {}
    # Placeholder so a recursive member refers to this model by name (resolved on rebuild).
    built[shape.name] = cast(type[ShapeView], ForwardRef(_model_name(service, shape.name)))
    for member, member_shape in shape.members.items():
        name = field_name(member)
        if name in members:
            raise TypeError(f"{service}:{shape.name}: members {members[name][0]} and {member} share {name!r}")
        members[name] = (member, member_shape)
        fields[name] = (Optional[_annotation(service, member_shape, built)], None)  # noqa: UP045 (a ForwardRef has no |)
    model = create_model(
        _model_name(service, shape.name), __base__=ShapeView, __module__=__name__,
        __doc__=(shape.documentation or "").strip() or None, **fields,
    )
    model.service_name = service
    model.shape_name = shape.name
    model.members = members
    built[shape.name] = model
    return model


def _annotation(service: str, shape: Shape, built: dict[str, type[ShapeView]]) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if shape.serialization.get("document") or shape.metadata.get("document"):
            return Any
        # A ForwardRef (cast as a model in ``built``) while that model is still being built.
        target: Any = built.get(shape.name) or _models.get((service, shape.name))
        if isinstance(target, ForwardRef):
            return target
        return target if target is not None else _build(service, shape, built)
    if kind == "list":
        return list.__class_getitem__(_annotation(service, shape.member, built))
    if kind == "map":
        return dict.__class_getitem__((str, _annotation(service, shape.value, built)))
    return _SCALARS.get(kind, Any)


# -- converting -----------------------------------------------------------------------------
def _structure_in(model: type[ShapeView], value: Mapping[str, Any]) -> dict[str, Any]:
    by_member = {member: (name, shape) for name, (member, shape) in model.members.items()}
    out: dict[str, Any] = {}
    for member, item in value.items():
        found = by_member.get(member)
        if found is None:
            raise ValueError(f"{model.shape_name} has no member {member!r}")
        name, shape = found
        out[name] = None if item is None else _value_in(model.service_name, shape, item)
    return out


def _value_in(service: str, shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping) and not shape.serialization.get("document"):
        return _structure_in(shape_view(service, shape.name), value)
    if kind == "list" and isinstance(value, list):
        return [_value_in(service, shape.member, item) for item in value]
    if kind == "map" and isinstance(value, Mapping):
        return {key: _value_in(service, shape.value, item) for key, item in value.items()}
    return value


def _value_out(shape: Shape, value: Any) -> Any:
    if isinstance(value, ShapeView):
        return value.to_wire()
    if isinstance(value, list):
        return [_value_out(shape.member, item) for item in value]
    if isinstance(value, dict) and shape.type_name == "map":
        return {key: _value_out(shape.value, item) for key, item in value.items()}
    return value


def document_converter(model: type[ShapeView]) -> Converter:
    """How a record field holding a member-named document of ``model``'s shape (or None)
    appears in its view: typed by ``model`` (``records.view_as(document_converter(...))``)."""

    def to_view(value: Mapping[str, Any] | None) -> ShapeView | None:
        return None if value is None else model.from_wire(value)

    def to_record(view: ShapeView | None) -> dict[str, Any] | None:
        return None if view is None else view.to_wire()

    return Converter(Optional[model], to_view, to_record)  # noqa: UP045 (model is a runtime value)
