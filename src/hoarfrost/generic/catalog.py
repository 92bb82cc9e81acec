"""The records inference produces: one ``ServiceCatalog`` per service, read by the engine.

Everything the engine needs to serve a family's CRUD without looking at operation names
again is here, as plain data: which operation plays which role, which input member names
the resource (and whether it is the resource's name, id, ARN or URL, or a parent's), where
each identifier comes from when the resource is created (an input member the caller picks,
or an output member the service assigns), where the resource sits in each output, how lists
page, which error shapes mean not-found or already-exists. What inference could not decide
is written down too, with the reason, never filled in with a guess.

The records are frozen dataclasses of JSON-friendly values, so the disk cache is
``to_json``/``from_json`` and nothing else.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["create", "read", "list", "update", "delete", "lookup"]
ROLES: tuple[Role, ...] = ("create", "read", "list", "update", "delete", "lookup")
CRUD: tuple[Role, ...] = ("create", "read", "list", "update", "delete")  # what a family may be missing

# What an identifier member holds. ``key`` is any other naming member (appsync's fieldName
# is a name; API Gateway's httpMethod is a key).
IdKind = Literal["name", "id", "arn", "url", "key"]

# How a binding's member selects resources: one value, any of a list of values, or a prefix
# of the identifier (DescribeLogStreams' logStreamNamePrefix).
Match = Literal["exact", "any", "prefix"]


@dataclass(frozen=True, slots=True)
class Identifier:
    """One attribute that names a resource of the family, and where CreateX carries it.

    ``input_paths`` set: the caller chooses the value, at the first of these paths the
    request carries (Glue's CreateTable takes ``Name`` or ``TableInput.Name``). Only
    ``output_path`` set: the service assigns it and CreateX returns it there. Both: the
    caller may choose it, else the service assigns it. Paths are dotted member names; ``[]``
    steps into a list that holds just the resource. ``key``: some read, update or delete
    operation finds the resource by it.
    """

    kind: IdKind
    member: str
    input_paths: tuple[str, ...] = ()
    output_path: str | None = None
    key: bool = False

    @property
    def input_path(self) -> str | None:
        return self.input_paths[0] if self.input_paths else None


@dataclass(frozen=True, slots=True)
class Binding:
    """An input member of an operation that names a resource, the family's own or a parent's.

    ``kinds`` lists every identifier kind the member accepts (SecretId: the ARN or the name);
    empty when inference could not tell (see the family's warnings).
    """

    member: str
    family: str
    kinds: tuple[IdKind, ...]
    required: bool = True
    match: Match = "exact"


@dataclass(frozen=True, slots=True)
class Paging:
    """Page token and size members; ``source`` says whether botocore's paginator config
    named them or only their names did."""

    input_tokens: tuple[str, ...] = ()
    output_tokens: tuple[str, ...] = ()
    limit: str | None = None
    more_results: str | None = None
    source: Literal["paginator", "names"] = "names"


@dataclass(frozen=True, slots=True)
class ErrorShapes:
    """An operation's modelled error shapes, sorted by what they mean."""

    not_found: tuple[str, ...] = ()
    already_exists: tuple[str, ...] = ()
    conflict: tuple[str, ...] = ()
    validation: tuple[str, ...] = ()
    limit: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OperationRole:
    """One operation's part in a family.

    ``resource_path``: where the resource sits in the output: ``""`` for the top-level
    members, a member path (``Table``, ``HostedZone``) for a nested structure, or the list
    member for ``list`` and for a read of many (``many``). ``items``: what that list holds:
    ``resource`` structures or identifiers of one kind (ListTables' TableNames). ``upsert``:
    a Put that creates or replaces. ``attributes``: reads or writes the resource's
    attributes by name (GetQueueAttributes, ModifyVpcAttribute) rather than the resource.
    """

    operation: str
    role: Role
    bindings: tuple[Binding, ...] = ()
    resource_path: str | None = None
    resource_shape: str | None = None
    items: str | None = None
    many: bool = False
    upsert: bool = False
    attributes: bool = False
    paging: Paging | None = None
    errors: ErrorShapes = ErrorShapes()


@dataclass(frozen=True, slots=True)
class Parent:
    """Another family ``member`` of CreateX's input names, required there or named again
    when the resource is read or deleted. ``keyed``: reads and deletes name it, so the
    resource is found within it (a Resource in its RestApi); else CreateX only requires it
    (a Stage's deployment, a Subnet's VPC)."""

    family: str
    member: str
    kinds: tuple[IdKind, ...]
    required: bool = True
    keyed: bool = True


@dataclass(frozen=True, slots=True)
class Status:
    """A status-like enum of the resource and the value that means ready to use."""

    path: str
    values: tuple[str, ...]
    active: str | None = None


@dataclass(frozen=True, slots=True)
class TagMembers:
    """How a request carries tags: a ``map``, or a ``list`` of structures (``key``/``value``)."""

    member: str
    form: Literal["map", "list"]
    key: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Tagging:
    """A set of tag operations: service-wide by ARN (``family`` None), or one family's."""

    family: str | None
    tag: str | None = None
    untag: str | None = None
    list: str | None = None
    resource_member: str | None = None
    resource_kinds: tuple[IdKind, ...] = ()
    tags: TagMembers | None = None
    keys_member: str | None = None
    list_output: str | None = None


@dataclass(frozen=True, slots=True)
class Family:
    """A resource noun and its operations by role.

    ``parents``: the keyed ones first, outermost first; ``parent`` is the family this one
    is created in.
    ``singleton``: the resource has no identifier of its own, one per parent (or per account
    and region). ``problems`` are why the engine cannot serve the family as inferred;
    ``warnings`` what it serves only in part (an optional filter whose values it cannot
    read, bound with no ``kinds``); ``missing`` the CRUD roles no operation plays; ``hints``
    the corrections applied.
    """

    name: str
    operations: dict[str, tuple[OperationRole, ...]]
    identifiers: tuple[Identifier, ...] = ()
    parents: tuple[Parent, ...] = ()
    singleton: bool = False
    status: Status | None = None
    tags: TagMembers | None = None
    not_found_error: str | None = None
    exists_error: str | None = None
    missing: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()

    @property
    def parent(self) -> Parent | None:
        keyed = [parent for parent in self.parents if parent.keyed]
        if keyed:
            return keyed[-1]
        return next((parent for parent in self.parents if parent.required), None)

    @property
    def complete(self) -> bool:
        """Created, read and deleted: a full resource life cycle."""
        return all(self.operations.get(role) for role in ("create", "read", "delete"))

    @property
    def servable(self) -> bool:
        return bool(self.operations.get("create") and self.operations.get("read")) and not self.problems

    @property
    def resolved(self) -> bool:
        """Complete, and every identifier's source known."""
        return self.complete and not self.problems

    def roles(self, role: str) -> tuple[OperationRole, ...]:
        return self.operations.get(role, ())

    def identifier(self, kind: str) -> Identifier | None:
        return next((ident for ident in self.identifiers if ident.kind == kind), None)


@dataclass(frozen=True, slots=True)
class Unresolved:
    """An operation the engine leaves NotImplemented; ``reason`` is a short category
    (``verb``, ``batch``, ``association``, ``lone``, ``identifier``, ``shape``, ``hint``...)."""

    operation: str
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class ServiceCatalog:
    service: str
    families: tuple[Family, ...] = ()
    tagging: tuple[Tagging, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()
    hints: tuple[str, ...] = ()

    def family(self, name: str) -> Family | None:
        return next((family for family in self.families if family.name == name), None)

    def role_of(self, operation: str) -> list[tuple[Family, OperationRole]]:
        """Every (family, role) an operation plays: DescribeRepositories reads and lists."""
        return [(family, role) for family in self.families for roles in family.operations.values()
                for role in roles if role.operation == operation]


# -- JSON -------------------------------------------------------------------------------------
def to_json(value: Any) -> Any:
    """A record as JSON values; default-valued fields are left out to keep cache files small."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for item in dataclasses.fields(value):
            member = getattr(value, item.name)
            if item.default is not dataclasses.MISSING and member == item.default:
                continue
            out[item.name] = to_json(member)
        return out
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def from_json(cls: type[Any], data: Any) -> Any:
    """The inverse of ``to_json``, driven by the dataclasses' annotations."""
    return _decode(cls, data)


@typing.no_type_check
def _decode(annotation: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    if origin is tuple:
        item = typing.get_args(annotation)[0]
        return tuple(_decode(item, value) for value in data)
    if origin is dict:
        _, item = typing.get_args(annotation)
        return {key: _decode(item, value) for key, value in data.items()}
    if dataclasses.is_dataclass(annotation):
        hints = _hints(annotation)
        return annotation(**{key: _decode(hints[key], value) for key, value in data.items()})
    return data


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]

