"""The generic resource engine: one ``StatefulService`` per botocore service without
hand-written handlers, serving the resource families its catalog resolved.

The pipeline asks ``handler(operation)``; the engine answers with a handler only for the
operations ``plan`` lists, so everything else stays the protocol's NotImplemented.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from hoarfrost.core import catalog as models
from hoarfrost.core.operations import (
    OperationHandler,
    OperationRegistry,
    RequestContext,
)
from hoarfrost.core.views import ENGINE_PART, StatefulService
from hoarfrost.generic.engine import ops, state
from hoarfrost.generic.engine.ops import ResourceNotFound
from hoarfrost.generic.engine.plan import plan
from hoarfrost.generic.engine.state import GenericBackend, GenericView
from hoarfrost.generic.store import catalog_for

_READ_ONLY = ("read", "list", "list_tags")

class GenericService(StatefulService[GenericBackend, GenericView]):
    """The engine's service; ``for_service`` makes the class of one botocore service."""

    view_type: ClassVar[type[GenericView]] = GenericView
    # The operations this instance serves: the plan's, or for the engine's part of a partly
    # hand-written service, those its hand-written handlers leave (``fallback_plan``).
    served: ClassVar[frozenset[str] | None] = None

    @classmethod
    def for_service(cls, name: str) -> type[GenericService]:
        return _service_class(name)

    @classmethod
    def part_of(cls, name: str, hand_written: frozenset[str]) -> type[GenericService]:
        """The engine's part of a hand-written service: the families none of whose operations
        (nor their parents') are written by hand."""
        return _part_class(name, hand_written)

    @property
    def state_key(self) -> str:
        return f"{self.name}{ENGINE_PART}" if self.served is not None else self.name

    def handler(self, operation: str) -> OperationHandler | None:
        if operation not in plan(self.name) or (self.served is not None and operation not in self.served):
            return None
        return _handler(self.name, operation)

    def holds(self, operation: str, request: dict[str, Any], account: str, region: str) -> bool | None:
        """Whether what the request names is here: a tag operation's ARN, a read/update/delete's
        own resource, a create or list's parent. None for a request that names nothing."""
        served = plan(self.name).get(operation)
        if served is None:
            return None
        scope = self.backends.existing(account, region)
        backend = scope.backend if scope is not None else None
        tagging = served.tagging
        if tagging is not None:
            arn = request.get(tagging.resource_member or "")
            return None if not isinstance(arn, str) else backend is not None and backend.by_arn(arn) is not None
        family, role = served.family, served.role
        if family is None or role is None:
            return None
        wanted = family.name if served.kind in ("read", "update", "delete") else (
            family.parent.family if family.parent is not None else None)
        binding = next((item for item in role.bindings if item.family == wanted), None) if wanted else None
        value = request.get(binding.member) if binding is not None else None
        if not isinstance(value, str):
            return None
        return backend is not None and bool(backend.named(binding.family, value))  # type: ignore[union-attr]

    def served_operations(self) -> list[str]:
        return sorted(self.served if self.served is not None else plan(self.name))

    def new_backend(self, account: str, region: str) -> GenericBackend:
        return GenericBackend()

    def to_view(self, backend: GenericBackend, account: str, region: str) -> GenericView:
        return state.to_view(backend)

    def from_view(self, view: GenericView, account: str, region: str) -> GenericBackend:
        return state.from_view(view)

    @staticmethod
    def not_found_error() -> type[Exception]:
        """The answer for a family whose model names no not-found error."""
        return ResourceNotFound

    def merge_backend(self, target: GenericBackend, source: GenericBackend) -> None:
        state.merge(target, source)


@functools.cache
def _service_class(name: str) -> type[GenericService]:
    models.service_model(name)  # an unknown name fails here, not on first request
    attributes = {"name": name, "operations": OperationRegistry(name), "__doc__": f"{name}, served by the engine."}
    return type(f"Generic_{name.replace('-', '_')}", (GenericService,), attributes)


def fallback_plan(name: str, hand_written: frozenset[str]) -> frozenset[str]:
    """The operations of ``name`` the engine serves beside its hand-written ``hand_written``:
    the CRUD of families untouched by hand, whose parents are untouched too (an S3 bucket's
    sub-resources need the hand-written bucket, so they stay NotImplemented) and that are not
    named by another resource's ARN. Tag operations stay with the hand-written code: the
    engine cannot see its resources."""
    catalog = catalog_for(name)
    touched: dict[str, bool] = {}

    def by_hand(family_name: str, seen: tuple[str, ...] = ()) -> bool:
        if family_name in touched:
            return touched[family_name]
        family = catalog.family(family_name)
        if family is None or family_name in seen:
            return False
        mine = any(role.operation in hand_written for roles in family.operations.values() for role in roles)
        # Named by an ARN the caller gives (Lambda's PutResourcePolicy takes a function's ARN):
        # it hangs on resources that may well be the hand-written ones.
        by_arn = any(ident.kind == "arn" and ident.input_paths for ident in family.identifiers)
        result = mine or by_arn or any(by_hand(parent.family, (*seen, family_name)) for parent in family.parents)
        touched[family_name] = result
        return result

    return frozenset(operation for operation, served in plan(name).items()
                     if operation not in hand_written and served.family is not None
                     and not by_hand(served.family.name))


@functools.cache
def _part_class(name: str, hand_written: frozenset[str]) -> type[GenericService]:
    attributes = {"name": name, "operations": OperationRegistry(name), "served": fallback_plan(name, hand_written),
                  "__doc__": f"The engine's part of {name}, beside its hand-written handlers."}
    return type(f"GenericPart_{name.replace('-', '_')}", (GenericService,), attributes)


@functools.cache
def _handler(service: str, operation: str) -> OperationHandler:
    served = plan(service)[operation]

    def run(ctx: RequestContext[GenericBackend, GenericService], params: dict[str, Any]) -> dict[str, Any]:
        return ops.run(ctx, operation, served, params)

    run.__name__ = operation
    return OperationHandler(operation, run, mutates=served.kind not in _READ_ONLY)
