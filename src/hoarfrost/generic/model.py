"""A read-only view of one service's model as inference needs it: members with their
types, requiredness and documentation, operations' errors, and botocore's paginator config.

Inference reads the raw (spec-patched) JSON description rather than botocore's
``ServiceModel``: a sweep over every service then keeps no model in memory, and a member's
facts are a dictionary lookup away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from hoarfrost.core import catalog, spec_patches

SCALARS = frozenset({"string", "integer", "long"})
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    shape: str
    type: str
    required: bool
    enum: tuple[str, ...]
    item_shape: str | None  # a list's element shape
    item_type: str | None
    documentation: str

    @property
    def scalar(self) -> bool:
        """A value that can name a resource: a string or integer, not an enum."""
        return self.type in SCALARS and not self.enum

    @property
    def simple(self) -> bool:
        """A single string or number, enums included (API Gateway's responseType is a key)."""
        return self.type in SCALARS

    @property
    def scalar_list(self) -> bool:
        return self.type == "list" and self.item_type in SCALARS


class ServiceView:
    def __init__(self, service: str, description: dict[str, Any], paginators: dict[str, Any] | None) -> None:
        self.service = service
        self.description = description
        self.shapes: dict[str, Any] = description.get("shapes", {})
        self.operations: dict[str, Any] = description.get("operations", {})
        self.paginators: dict[str, Any] = (paginators or {}).get("pagination", {})

    @classmethod
    def load(cls, service: str) -> ServiceView:
        data = catalog.load_uncached(service, "service-2")
        if data is None:
            data = catalog.botocore_session().get_service_data(service)
        return cls(service, spec_patches.apply(service, data), catalog.load_uncached(service, "paginators-1"))

    @cached_property
    def operation_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.operations))

    def members(self, shape_name: str | None) -> dict[str, Member]:
        if not shape_name:
            return {}
        shape = self.shapes.get(shape_name, {})
        if shape.get("type") != "structure":
            return {}
        required = set(shape.get("required", ()))
        out: dict[str, Member] = {}
        for name, ref in shape.get("members", {}).items():
            target = self.shapes.get(ref["shape"], {})
            item_shape = target.get("member", {}).get("shape") if target.get("type") == "list" else None
            out[name] = Member(
                name=name,
                shape=ref["shape"],
                type=target.get("type", "string"),
                required=name in required,
                enum=tuple(target.get("enum", ())),
                item_shape=item_shape,
                item_type=self.shapes.get(item_shape, {}).get("type") if item_shape else None,
                documentation=_TAGS.sub(" ", ref.get("documentation") or target.get("documentation") or ""),
            )
        return out

    def input_shape(self, operation: str) -> str | None:
        shape = self.operations[operation].get("input", {}).get("shape")
        return str(shape) if shape else None

    def output_shape(self, operation: str) -> str | None:
        shape = self.operations[operation].get("output", {}).get("shape")
        return str(shape) if shape else None

    def inputs(self, operation: str) -> dict[str, Member]:
        return self.members(self.input_shape(operation))

    def outputs(self, operation: str) -> dict[str, Member]:
        return self.members(self.output_shape(operation))

    def errors(self, operation: str) -> tuple[str, ...]:
        """The operation's error shape names (``error_code`` gives a shape's wire code)."""
        return tuple(dict.fromkeys(ref["shape"] for ref in self.operations[operation].get("errors", ())))

    def error_code(self, shape_name: str) -> str:
        return str(self.shapes.get(shape_name, {}).get("error", {}).get("code") or shape_name)

    def paginator(self, operation: str) -> dict[str, Any] | None:
        return self.paginators.get(operation)

    def member_at(self, shape_name: str | None, path: str) -> Member | None:
        """The member a dotted path names below a structure (``DistributionList.Items``)."""
        member: Member | None = None
        for part in path.split("."):
            member = self.members(shape_name).get(part)
            if member is None:
                return None
            shape_name = member.shape
        return member
