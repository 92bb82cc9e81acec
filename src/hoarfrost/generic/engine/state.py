"""What the generic engine stores per (account, region), and its typed state view.

One ``Resource`` per served resource, whatever the family: the engine knows families only
as data, so the state is generic too. A resource is found by its ``uid`` (never shown to
clients) and kept in creation order (``seq``), which is what list pages walk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core.kit.records import merge_keyed
from hoarfrost.core.views import StateView, ViewModel


@dataclass(slots=True)
class Resource:
    """One resource: ``identifiers`` by member name, ``attributes`` as the caller gave them
    (plus what the service assigns), ``parent`` the uid of the resource it lives in."""

    family: str
    uid: str
    seq: int
    identifiers: dict[str, str]
    attributes: dict[str, Any]
    arn: str
    created: dt.datetime
    tags: dict[str, str] = field(default_factory=dict)
    parent: str | None = None

    def names(self) -> set[str]:
        """Every value a request may name this resource by."""
        return {*self.identifiers.values(), self.arn}


@dataclass(slots=True)
class GenericBackend:
    resources: dict[str, Resource] = field(default_factory=dict)  # uid -> resource, creation order
    next_seq: int = 1

    def of_family(self, family: str) -> list[Resource]:
        return [item for item in self.resources.values() if item.family == family]

    def children(self, uid: str) -> list[Resource]:
        return [item for item in self.resources.values() if item.parent == uid]


class ResourceView(ViewModel):
    family: str
    uid: str
    seq: int
    identifiers: dict[str, str] = {}
    attributes: dict[str, Any] = {}
    arn: str
    created: dt.datetime
    tags: dict[str, str] = {}
    parent: str | None = None


class GenericView(StateView):
    """Every resource of one engine-served service in one account/region, in creation order."""

    resources: list[ResourceView] = []


def to_view(backend: GenericBackend) -> GenericView:
    return GenericView(resources=[
        ResourceView(family=item.family, uid=item.uid, seq=item.seq, identifiers=dict(item.identifiers),
                     attributes=dict(item.attributes), arn=item.arn, created=item.created,
                     tags=dict(item.tags), parent=item.parent)
        for item in backend.resources.values()
    ])


def from_view(view: GenericView) -> GenericBackend:
    """A new backend; a resource whose parent is not in the view is refused (ValueError)."""
    backend = GenericBackend()
    for item in sorted(view.resources, key=lambda entry: entry.seq):
        if item.uid in backend.resources:
            raise ValueError(f"resource uid {item.uid!r} appears twice")
        backend.resources[item.uid] = Resource(
            item.family, item.uid, item.seq, dict(item.identifiers), dict(item.attributes), item.arn,
            item.created, dict(item.tags), item.parent)
        backend.next_seq = max(backend.next_seq, item.seq + 1)
    for resource in backend.resources.values():
        if resource.parent is not None and resource.parent not in backend.resources:
            raise ValueError(f"resource {resource.uid!r} names a parent {resource.parent!r} the view lacks")
    return backend


def merge(target: GenericBackend, source: GenericBackend) -> None:
    """The merge rule: the source's resources by uid replace or join the target's."""
    merge_keyed(target.resources, source.resources)
    target.next_seq = max(target.next_seq, source.next_seq)
    target.resources = dict(sorted(target.resources.items(), key=lambda entry: entry[1].seq))
