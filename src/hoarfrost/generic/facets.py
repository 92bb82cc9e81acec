"""Operations on a facet of a resource, served as the resource's own reads and updates.

Lambda's ``GetFunctionConfiguration``, ``UpdateFunctionConfiguration`` and
``UpdateFunctionCode`` name nouns nothing creates (FunctionConfiguration, FunctionCode), yet
they read and change a Function: they find it by its identifier and answer the very shape
GetFunction answers. Such an operation joins the family its noun starts with, as a read or
an update, when both hold: every member naming a resource names that family's resource (or
its parents), and its output is the family's resource shape. Otherwise it stays where it
was (a family that nothing creates, or unresolved), since answering another shape from the
resource's record would be a guess.
"""

from __future__ import annotations

from dataclasses import replace

from hoarfrost.generic import error_roles, identity, naming, outputs
from hoarfrost.generic.catalog import CRUD, Family, OperationRole, Role, Unresolved
from hoarfrost.generic.identity import Ownership
from hoarfrost.generic.model import ServiceView

_READ: Role = "read"
_UPDATE: Role = "update"
_ROLES: dict[str, Role] = {verb: _READ for verb in naming.READ_VERBS} | \
    {verb: _UPDATE for verb in (*naming.UPDATE_VERBS, "Put", "Set")}


def _owner(noun: str, families: dict[str, Family]) -> Family | None:
    """The creatable family whose name the noun extends at a word boundary, longest first."""
    for name in sorted(families, key=len, reverse=True):
        family = families[name]
        if noun != name and noun.startswith(name) and noun[len(name)].isupper() and family.roles("create"):
            return family
    return None


def _facet(view: ServiceView, operation: str, family: Family, ownership: Ownership) -> OperationRole | None:
    parsed = naming.split(operation)
    role = _ROLES.get(parsed.verb) if parsed else None
    if role is None:
        return None
    bound = identity.bind(view, operation, family.name, ownership, {}, {})
    own = [(m, c) for m, c in bound.own if not (c.many or c.prefix)]
    keys = {b.member.lower(): b.kinds for rs in family.operations.values() for r in rs if r.role != "create"
            for b in r.bindings if b.family == family.name and b.match == "exact"}
    if not own or any(m.name.lower() not in keys for m, _ in own):
        return None
    if bound.ambiguous or bound.structures or any(not m.enum for m in bound.unnamed_required):
        return None
    shapes = {r.resource_shape for rs in family.operations.values() for r in rs if r.resource_shape and not r.many}
    location = outputs.resource_location(view, view.output_shape(operation), family.name)
    if location is None or location.shape not in shapes:
        return None
    bindings = tuple(identity.binding(m, c, keys[m.name.lower()]) for m, c in own) + \
        tuple(identity.binding(m, c) for m, c in bound.parents)
    return OperationRole(operation, role, bindings, location.path, location.shape,
                         errors=error_roles.classify(view, operation))


def absorb(view: ServiceView, families: list[Family], unresolved: list[Unresolved],
           ownership: Ownership) -> tuple[list[Family], list[Unresolved]]:
    by_name = {family.name: family for family in families}
    joined: dict[str, list[OperationRole]] = {}
    taken: set[str] = set()
    candidates = [(item.operation, naming.split(item.operation)) for item in unresolved if item.reason == "lone"]
    candidates += [(r.operation, naming.split(r.operation)) for family in families if not family.roles("create")
                   for role in ("read", "update") for r in family.roles(role)]
    for operation, parsed in candidates:
        owner = _owner(parsed.noun, by_name) if parsed else None
        found = _facet(view, operation, owner, ownership) if owner else None
        if owner is not None and found is not None:
            joined.setdefault(owner.name, []).append(found)
            taken.add(operation)
    if not taken:
        return families, unresolved
    out: list[Family] = []
    for family in families:
        operations = {role: tuple(r for r in rs if r.operation not in taken) for role, rs in family.operations.items()}
        for extra in joined.get(family.name, ()):
            operations[extra.role] = (*operations.get(extra.role, ()), extra)
        operations = {role: rs for role, rs in operations.items() if rs}
        if operations:
            missing = tuple(role for role in CRUD if not operations.get(role))
            out.append(replace(family, operations=operations, missing=missing))
    return out, [item for item in unresolved if item.operation not in taken]
