"""Where a resource sits in an operation's output, what a list holds, the resource's status
enum, and how a request carries tags.

Outputs either spread the resource's members at the top level (Lambda's CreateFunction,
IoT's DescribeThing) or wrap it in one structure named after it (``TableDescription``,
``graphqlApi``, ``HostedZone`` next to ``ChangeInfo``); attribute-style services answer a
map (``Attributes``). Lists are found through botocore's paginator ``result_key`` first.
"""

from __future__ import annotations

from dataclasses import dataclass

from hoarfrost.generic import naming
from hoarfrost.generic.catalog import Status, TagMembers
from hoarfrost.generic.model import Member, ServiceView

_WRAPPER_SUFFIXES = ("", "description", "detail", "details", "info", "information", "summary", "properties",
                     "output", "result", "metadata", "data", "configuration", "definition", "response", "record")
# Values meaning "created and usable", likeliest first; an enum with none of them has no
# active value in the catalog rather than a guessed one.
_ACTIVE = ("active", "available", "ready", "enabled", "created", "running", "inservice", "deployed", "succeeded",
           "success", "completed", "complete", "createcomplete", "createcompleted", "creationsuccessful",
           "createsuccess", "readyfordeployment", "healthy", "issued", "published", "online", "operational", "stable",
           "provisioned", "live", "up", "ok", "valid", "idle", "registered", "prepared", "connected", "confirmed",
           "activated", "verified", "trained", "onboarded", "attachable", "started", "scheduled")
_TAG_MEMBERS = ("tags", "taglist", "tagset", "resourcetags", "tagspecifications", "tagging")


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    shape: str | None


def _wrapper_rank(member: Member, noun: str) -> int | None:
    """How well a member's name (or its shape's) says it wraps the noun: lower is better."""
    tails = naming.noun_tails(noun)
    for rank, tail in enumerate(tails):
        for text in (member.name.lower(), member.shape.lower()):
            if any(text == tail + suffix for suffix in _WRAPPER_SUFFIXES):
                return rank
    return None


def resource_location(view: ServiceView, output_shape: str | None, noun: str) -> Location | None:
    """The resource in an output, or None when the output carries nothing (Glue's CreateTable).
    A path ending in ``[]`` is a list holding just the resource."""
    members = view.members(output_shape)
    if not members:
        return None
    wrappers = [(rank, member) for member in members.values()
                if member.type in ("structure", "map") and (rank := _wrapper_rank(member, noun)) is not None]
    if wrappers:
        best = min(rank for rank, _ in wrappers)
        chosen = [member for rank, member in wrappers if rank == best]
        if len(chosen) == 1:
            return Location(chosen[0].name, chosen[0].shape)
    if len(members) == 1:
        (only,) = members.values()
        if only.type in ("structure", "map"):
            return Location(only.name, only.shape)
    lists = [member for member in members.values() if member.type == "list" and member.item_type == "structure"]
    if len(lists) == 1 and _names_many(lists[0].name, noun):  # ELBv2: {LoadBalancers: [the new one]}
        return Location(f"{lists[0].name}[]", lists[0].item_shape)
    return Location("", output_shape)


@dataclass(frozen=True, slots=True)
class ListLocation:
    path: str
    item_shape: str | None
    items: str  # "resource", or the identifier kind the list holds


def list_location(view: ServiceView, output_shape: str | None, noun: str,
                  result_keys: tuple[str, ...]) -> ListLocation | None:
    for key in result_keys:
        member = view.member_at(output_shape, key)
        if member is not None and member.type == "list":
            return _list(key, member)
    found = _list_in(view, output_shape, noun, "")
    if found is not None:
        return found
    # CloudFront: {CachePolicyList: {Items: [...], NextMarker, Quantity}}
    structures = [m for m in view.members(output_shape).values() if m.type == "structure"]
    named = [m for m in structures if _names_many(m.name, noun)] or (structures if len(structures) == 1 else [])
    if len(named) == 1:
        return _list_in(view, named[0].shape, noun, f"{named[0].name}.")
    return None


def _list_in(view: ServiceView, shape: str | None, noun: str, prefix: str) -> ListLocation | None:
    lists = [member for member in view.members(shape).values() if member.type == "list"]
    if len(lists) == 1:
        return _list(prefix + lists[0].name, lists[0])
    named = [member for member in lists if _names_many(member.name, noun)]
    if len(named) == 1:
        return _list(prefix + named[0].name, named[0])
    return None


def _names_many(member: str, noun: str) -> bool:
    lower = member.lower()
    return any(lower.startswith(tail) for tail in naming.noun_tails(noun)[:1]) or \
        naming.singular_of(member[:1].upper() + member[1:], [noun]) is not None


def _list(path: str, member: Member) -> ListLocation:
    if member.item_type == "structure":
        return ListLocation(path, member.item_shape, "resource")
    return ListLocation(path, member.item_shape, naming.kind_of(path.split(".")[-1]))


def status(view: ServiceView, resource_shape: str | None, noun: str) -> Status | None:
    members = view.members(resource_shape)
    names = ["status", "state"] + [tail + word for tail in naming.noun_tails(noun) for word in ("status", "state")]
    by_lower = {name.lower(): member for name, member in members.items() if member.enum}
    for name in names:
        member = by_lower.get(name)
        if member is not None:
            normalised = {value.lower().replace("_", "").replace("-", "").replace(" ", ""): value
                          for value in member.enum}
            active = next((normalised[word] for word in _ACTIVE if word in normalised), None)
            return Status(member.name, member.enum, active)
    return None


def tag_members(view: ServiceView, members: dict[str, Member]) -> TagMembers | None:
    """The member a request carries tags in, and its form."""
    for member in members.values():
        lower = member.name.lower()
        if lower not in _TAG_MEMBERS and not lower.startswith("tags"):  # Glue's TagsToAdd
            continue
        if member.type == "map":
            return TagMembers(member.name, "map")
        if member.type == "list" and member.item_type == "structure":
            return _tag_list(view, member.name, member.item_shape)
        if member.type == "structure":  # S3's Tagging: {TagSet: [...]}
            inner = next((m for m in view.members(member.shape).values() if m.type == "list"), None)
            if inner is not None:
                return _tag_list(view, f"{member.name}.{inner.name}", inner.item_shape)
    return None


def _tag_list(view: ServiceView, path: str, item_shape: str | None) -> TagMembers | None:
    fields = view.members(item_shape)
    by_lower = {name.lower(): name for name in fields}
    key = by_lower.get("key") or by_lower.get("tagkey")
    value = by_lower.get("value") or by_lower.get("tagvalue")
    if key:
        return TagMembers(path, "list", key, value)
    nested = next((m for m in fields.values() if m.name.lower() == "tags" and m.type == "list"), None)
    if nested is not None:  # EC2's TagSpecifications: [{ResourceType, Tags: [...]}]
        return _tag_list(view, f"{path}[].{nested.name}", nested.item_shape)
    return None
