"""A tiny stateful service for exercising the server and admin API without depending on a
real service: SimpleDB (``sdb``, query protocol) domains, four operations. ``Select`` is a
stand-in long poll: it waits (lock released) until a domain named ``wake`` exists.

Tests register it with ``monkeypatch.setitem(IMPLEMENTED, "sdb", __name__)``.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.records import merge_keyed
from hoarfrost.core.operations import OperationRegistry, RequestContext
from hoarfrost.core.views import (
    StatefulService,
    StateView,
    StateViewError,
    ViewModel,
)

SERVICE_NAME = "sdb"
LONG_POLL_SECONDS = 30.0
ops = OperationRegistry(SERVICE_NAME)


class NoSuchDomain(ServiceError):
    status = 400


class Backend:
    def __init__(self) -> None:
        self.domains: dict[str, datetime] = {}


class DomainView(ViewModel):
    name: str
    created: datetime


class SdbView(StateView):
    """Domains by name; merge adds domains and replaces those already present."""

    domains: dict[str, DomainView] = {}


@ops.operation
def create_domain(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.state.domains.setdefault(request["DomainName"], datetime.now(timezone.utc))
    ctx.wake()
    return {}


@ops.operation(blocking=True)
def select(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + LONG_POLL_SECONDS
    while "wake" not in ctx.state.domains and time.monotonic() < deadline:
        ctx.wait(deadline - time.monotonic())
    return {"Items": [{"Name": "woken", "Attributes": []}] if "wake" in ctx.state.domains else []}


@ops.operation
def list_domains(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"DomainNames": sorted(ctx.state.domains)}


@ops.operation
def delete_domain(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    if ctx.state.domains.pop(request["DomainName"], None) is None:
        raise NoSuchDomain("The specified domain does not exist.")
    return {}


class SdbService(StatefulService[Backend, SdbView]):
    name = SERVICE_NAME
    view_type = SdbView
    operations = ops

    def new_backend(self, account: str, region: str) -> Backend:
        return Backend()

    def to_view(self, backend: Backend, account: str, region: str) -> SdbView:
        return SdbView(domains={name: DomainView(name=name, created=created) for name, created in backend.domains.items()})

    def from_view(self, view: SdbView, account: str, region: str) -> Backend:
        backend = Backend()
        for key, domain in view.domains.items():
            if key != domain.name:
                raise StateViewError("invalid", f"sdb: domain listed under {key!r} is named {domain.name!r}")
            backend.domains[key] = domain.created
        return backend

    def merge_backend(self, target: Backend, source: Backend) -> None:
        merge_keyed(target.domains, source.domains)


SERVICE = SdbService
