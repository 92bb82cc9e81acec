"""What the generic engine stores per (account, region), and its typed state view.

One ``Resource`` per served resource, whatever the family: the engine knows families only
as data, so the state is generic too. A resource is found by its ``uid`` (never shown to
clients) and kept in creation order (``seq``), which is what list pages walk.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, overload

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


_ANY = "*any*"  # the parent key of a family's whole listing (no uid looks like it)


class GenericBackend:
    """The resources of one scope, with the indexes that make a request a look-up: by
    (family, any name or ARN), by ARN alone (tags), by family in creation order (lists) and
    by parent (children). Every change goes through ``add`` / ``remove`` / ``renamed``."""

    __slots__ = ("resources", "next_seq", "_named", "_arns", "_families", "_children", "_listed")

    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}  # uid -> resource, creation order
        self.next_seq = 1
        self._named: dict[tuple[str, str], dict[str, None]] = {}
        self._arns: dict[str, str] = {}
        self._families: dict[str, dict[str, None]] = {}
        self._children: dict[str, dict[str, None]] = {}
        # (family, parent uid or None) -> (seqs, uids), sorted by seq: a page of a listing is a
        # bisection and a slice, whatever the number of resources beside it.
        self._listed: dict[tuple[str, str | None], tuple[list[int], list[str]]] = {}

    def add(self, resource: Resource) -> None:
        self.resources[resource.uid] = resource
        self._index(resource)

    def remove(self, uid: str) -> None:
        resource = self.resources.pop(uid, None)
        if resource is None:
            return
        self._unindex(resource, resource.names())
        self._families.get(resource.family, {}).pop(uid, None)
        if resource.parent is not None:
            self._children.get(resource.parent, {}).pop(uid, None)
        self._children.pop(uid, None)
        for key in ((resource.family, resource.parent), (resource.family, _ANY)):
            listed = self._listed.get(key)
            if listed is not None:
                position = bisect.bisect_left(listed[0], resource.seq)
                if position < len(listed[1]) and listed[1][position] == uid:
                    del listed[0][position], listed[1][position]

    def renamed(self, resource: Resource, old_names: set[str]) -> None:
        """``resource``'s identifiers changed from ``old_names``."""
        self._unindex(resource, old_names)
        self._index(resource)

    def named(self, family: str, value: str) -> list[Resource]:
        """The family's resources that ``value`` names (a name, id, URL or ARN), oldest first."""
        return [self.resources[uid] for uid in self._named.get((family, value), ())]

    def by_arn(self, arn: str) -> Resource | None:
        uid = self._arns.get(arn)
        return self.resources.get(uid) if uid is not None else None

    def of_family(self, family: str) -> list[Resource]:
        """The family's resources in creation order."""
        return [self.resources[uid] for uid in self._families.get(family, ())]

    def listed(self, family: str, parent: str | None = _ANY) -> Sequence[Resource]:
        """The family's resources (under ``parent``, when given: None is the scope itself) by
        creation order, as a sequence that fetches only what is indexed or sliced."""
        return _Listed(self._listed.get((family, parent), ((), []))[1], self.resources)

    def children(self, uid: str) -> list[Resource]:
        return [self.resources[child] for child in self._children.get(uid, ())]

    def _index(self, resource: Resource) -> None:
        for name in resource.names():
            self._named.setdefault((resource.family, name), {})[resource.uid] = None
        self._arns[resource.arn] = resource.uid
        self._families.setdefault(resource.family, {})[resource.uid] = None
        if resource.parent is not None:
            self._children.setdefault(resource.parent, {})[resource.uid] = None
        for key in ((resource.family, resource.parent), (resource.family, _ANY)):
            seqs, uids = self._listed.setdefault(key, ([], []))
            position = bisect.bisect_right(seqs, resource.seq)
            if position and uids[position - 1] == resource.uid:
                continue  # renamed: already listed
            seqs.insert(position, resource.seq)
            uids.insert(position, resource.uid)

    def _unindex(self, resource: Resource, names: set[str]) -> None:
        for name in names:
            uids = self._named.get((resource.family, name))
            if uids is not None:
                uids.pop(resource.uid, None)
                if not uids:
                    del self._named[(resource.family, name)]
        if self._arns.get(resource.arn) == resource.uid:
            del self._arns[resource.arn]


class _Listed(Sequence[Resource]):
    __slots__ = ("_uids", "_resources")

    def __init__(self, uids: list[str], resources: dict[str, Resource]) -> None:
        self._uids = uids
        self._resources = resources

    def __len__(self) -> int:
        return len(self._uids)

    @overload
    def __getitem__(self, index: int) -> Resource: ...

    @overload
    def __getitem__(self, index: slice) -> list[Resource]: ...

    def __getitem__(self, index: int | slice) -> Resource | list[Resource]:
        if isinstance(index, slice):
            return [self._resources[uid] for uid in self._uids[index]]
        return self._resources[self._uids[index]]


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
        backend.add(Resource(
            item.family, item.uid, item.seq, dict(item.identifiers), dict(item.attributes), item.arn,
            item.created, dict(item.tags), item.parent))
        backend.next_seq = max(backend.next_seq, item.seq + 1)
    for resource in backend.resources.values():
        if resource.parent is not None and resource.parent not in backend.resources:
            raise ValueError(f"resource {resource.uid!r} names a parent {resource.parent!r} the view lacks")
    return backend


def merge(target: GenericBackend, source: GenericBackend) -> None:
    """The merge rule: a source resource replaces the target's of the same uid, or of the same
    ARN (the same resource, recorded by another emulator: the target's children follow it);
    the others join; nothing is removed."""
    resources = dict(target.resources)
    for item in source.resources.values():
        same = target.by_arn(item.arn)
        if same is not None and same.uid != item.uid:
            del resources[same.uid]
            for child in resources.values():
                if child.parent == same.uid:
                    child.parent = item.uid
    merge_keyed(resources, source.resources)
    for uid in list(target.resources):
        target.remove(uid)
    for resource in sorted(resources.values(), key=lambda item: item.seq):
        target.add(resource)
    target.next_seq = max(target.next_seq, source.next_seq)
