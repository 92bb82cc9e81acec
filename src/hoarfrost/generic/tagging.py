"""A service's tag operations: by ARN for any resource (TagResource, AddTagsToResource,
ListTagsOfResource...) or one family's (TagQueue, ListUserTags, GetBucketTagging).

They are found before families are, so ``CreateTags``/``DeleteTags`` (EC2) and
``AddTags``/``RemoveTags`` are not mistaken for a family named Tags. A name that looks like
a tag operation counts only when its input carries tags (or tag keys, or a resource to list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hoarfrost.generic import naming
from hoarfrost.generic.catalog import IdKind, Tagging, TagMembers
from hoarfrost.generic.identity import doc_kinds
from hoarfrost.generic.model import Member, ServiceView
from hoarfrost.generic.outputs import tag_members

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tag", re.compile(r"^Tag(?P<t>[A-Z]\w*)?$")),
    ("tag", re.compile(r"^(Add|Create|Put)Tags(To(?P<t>[A-Z]\w*))?$")),
    ("tag", re.compile(r"^Put(?P<t>[A-Z]\w*)Tagging$")),
    ("untag", re.compile(r"^Untag(?P<t>[A-Z]\w*)?$")),
    ("untag", re.compile(r"^(Remove|Delete)Tags(From(?P<t>[A-Z]\w*))?$")),
    ("untag", re.compile(r"^Delete(?P<t>[A-Z]\w*)Tagging$")),
    ("list", re.compile(r"^(List|Describe|Get)Tags((For|Of|On)(?P<t>[A-Z]\w*))?$")),
    ("list", re.compile(r"^(List|Get|Describe)(?P<t>[A-Z]\w*)Tags$")),
    ("list", re.compile(r"^(List|Get)Tags(?P<t>[A-Z]\w*)$")),  # CloudWatch Logs' ListTagsLogGroup
    ("list", re.compile(r"^Get(?P<t>[A-Z]\w*)Tagging$")),
)
_SERVICE_WIDE = ("", "Resource", "Resources")
_KEY_LISTS = ("tagkeys", "keys", "tagkeylist", "tagkey")


@dataclass(slots=True)
class _Group:
    target: str
    ops: dict[str, str] = field(default_factory=dict)


def _match(operation: str) -> tuple[str, str] | None:
    for role, pattern in _PATTERNS:
        found = pattern.match(operation)
        if found:
            target = found.groupdict().get("t") or ""
            return role, target
    return None


def _resource_member(inputs: dict[str, Member], skip: set[str]) -> Member | None:
    """The member naming the tagged resource: a required string, else a required list of them
    (EC2's CreateTags tags every one of its Resources)."""
    scalars = [member for member in inputs.values() if member.required and member.scalar and member.name not in skip]
    named = [member for member in scalars if naming.parse_member(member.name)]
    lists = [member for member in inputs.values() if member.required and member.scalar_list and member.name not in skip
             and "key" not in member.name.lower()]
    found = named or scalars or lists
    return found[0] if found else None


def _keys_member(inputs: dict[str, Member]) -> Member | None:
    """The list of tag keys to remove: TagKeys, Glue's TagsToRemove, Cost Explorer's
    ResourceTagKeys; never the resources to untag (EC2's Resources)."""
    lists = [member for member in inputs.values() if member.scalar_list]
    return next((member for member in lists if member.name.lower() in _KEY_LISTS), None) or \
        next((member for member in lists if "key" in member.name.lower() or "tag" in member.name.lower()), None)


def find(view: ServiceView) -> tuple[list[Tagging], set[str]]:
    """The tag operation sets and every operation they use."""
    groups: list[_Group] = []
    used: set[str] = set()
    for operation in view.operation_names:
        matched = _match(operation)
        if matched is None:
            continue
        role, target = matched
        inputs = view.inputs(operation)
        if role == "tag" and tag_members(view, inputs) is None:
            continue
        if role == "untag" and _keys_member(inputs) is None and tag_members(view, inputs) is None:
            continue
        if role == "list" and tag_members(view, view.outputs(operation)) is None:
            continue
        target = "" if target in _SERVICE_WIDE else target
        group = next((g for g in groups if g.target == target and role not in g.ops), None)
        if group is None:
            group = _Group(target)
            groups.append(group)
        group.ops[role] = operation
        used.add(operation)
    return [_tagging(view, group) for group in groups], used


def _tagging(view: ServiceView, group: _Group) -> Tagging:
    tags: TagMembers | None = None
    keys: str | None = None
    resource: Member | None = None
    list_output: str | None = None
    if "tag" in group.ops:
        inputs = view.inputs(group.ops["tag"])
        tags = tag_members(view, inputs)
        resource = _resource_member(inputs, {tags.member.split(".")[0]} if tags else set())
    if "untag" in group.ops:
        inputs = view.inputs(group.ops["untag"])
        key_member = _keys_member(inputs)
        keys = key_member.name if key_member else None
        resource = resource or _resource_member(inputs, {keys} if keys else set())
    if "list" in group.ops:
        found = tag_members(view, view.outputs(group.ops["list"]))
        list_output = found.member if found else None
        resource = resource or _resource_member(view.inputs(group.ops["list"]), set())
    kinds: tuple[IdKind, ...] = ()
    if resource is not None:  # Lambda's TagResource takes Resource: "the function's ARN"
        kind = naming.kind_of(resource.name)
        documented = doc_kinds(resource)
        if kind == "key":
            kinds = documented or (kind,)
        else:  # RDS's ResourceName: "an Amazon Resource Name (ARN)"
            kinds = (kind, "arn") if "arn" in documented and kind != "arn" else (kind,)
    return Tagging(family=group.target or None, tag=group.ops.get("tag"), untag=group.ops.get("untag"),
                   list=group.ops.get("list"), resource_member=resource.name if resource else None,
                   resource_kinds=kinds, tags=tags, keys_member=keys, list_output=list_output)
