"""Operations grouped into families by noun, each with the role its verb gives it.

Only names are read here (and the hints); whether an operation's inputs and outputs agree
with its role is checked when its identifiers are bound. A noun becomes a family when
something creates it or when operations of two different roles name it; an operation
that fits no family is returned as unresolved with the reason.

Decisions worth knowing:
* ``PutX`` creates when no ``CreateX``/``RegisterX`` exists (an upsert), else it updates;
  ``SetX`` likewise, and ``SetXAttributes`` always updates.
* A plural noun on a create, update or delete (``CreateTags``, ``DeleteMessages``) whose
  singular is a family is a batch operation and stays unresolved; a plural noun with no
  singular family (GuardDuty's ``CreateMembers``) is a family of its own name, checked for
  list inputs later.
* ``GetXs``/``DescribeXs`` of a family X read many and list; ``ListXs`` and ``ListXsByY`` list.
* ``GetXUrl``/``GetXArn``/``GetXId`` (SQS's GetQueueUrl) look X's identifier up by another.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from hoarfrost.generic import naming
from hoarfrost.generic.catalog import Role, Unresolved
from hoarfrost.generic.hints import ServiceHints
from hoarfrost.generic.naming import OperationName

_ASSOCIATION = re.compile(r"^(Add|Remove|Put|Register|Deregister)(?P<what>[A-Z].*?)(To|From|With)(?P<target>[A-Z].*)$")


@dataclass(slots=True)
class Candidate:
    operation: str
    role: Role
    noun: str
    plural: bool = False  # names many of the noun (DescribeRepositories)
    attributes: bool = False  # reads or writes the resource's attribute map
    upsert: bool = False
    hint: str | None = None


@dataclass(slots=True)
class Grouping:
    families: dict[str, list[Candidate]] = field(default_factory=dict)
    unresolved: list[Unresolved] = field(default_factory=list)


def group(operations: list[str], hints: ServiceHints) -> Grouping:
    out = Grouping()
    named: list[tuple[str, OperationName]] = []
    forced: list[Candidate] = []
    for operation in operations:
        hint = hints.operations.get(operation)
        if hint is not None and hint.exclude:
            out.unresolved.append(Unresolved(operation, "hint", hint.exclude))
            continue
        if hint is not None and hint.family and hint.role:
            parsed = naming.split(operation)
            plural = hint.role in ("read", "list") and parsed is not None and parsed.noun != hint.family and \
                naming.looks_plural(parsed.noun)  # DescribeAlarms for a MetricAlarm
            forced.append(Candidate(operation, hint.role, hint.family, plural=plural or hint.role == "list",
                                    attributes=bool(parsed and parsed.attributes), hint=hint.why))
            continue
        refusal = _refusal(operation)
        if refusal:
            out.unresolved.append(Unresolved(operation, *refusal))
            continue
        parsed = naming.split(operation)
        assert parsed is not None  # _refusal turned every non-CRUD name away
        named.append((operation, parsed))

    singular = {parsed.noun for _, parsed in named if parsed.verb not in naming.LIST_VERBS}
    singular |= {candidate.noun for candidate in forced}
    # DescribeClusters' noun is many Clusters, not a noun of its own, once a Cluster exists.
    singular -= {noun for noun in singular if naming.singular_of(noun, singular - {noun})}
    created = {parsed.noun for _, parsed in named if parsed.verb in ("Create", "Register")}
    created |= {candidate.noun for candidate in forced if candidate.role == "create"}
    candidates: list[Candidate] = list(forced)
    for operation, parsed in named:
        candidate = _candidate(operation, parsed, singular, created)
        if isinstance(candidate, Unresolved):
            out.unresolved.append(candidate)
        else:
            candidates.append(candidate)

    by_noun: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_noun[candidate.noun].append(candidate)
    for noun, members in sorted(by_noun.items()):
        roles = {member.role for member in members}
        if "create" in roles or len(roles - {"lookup"}) >= 2 or any(member.hint for member in members):
            out.families[noun] = members
            continue
        for member in members:
            verb = naming.first_word(member.operation)
            out.unresolved.append(Unresolved(member.operation, "lone", (
                f"the only {member.role} of '{noun}': no create and no operation of another role names it"
                if len(members) == 1 else
                f"'{noun}' has only {member.role} operations ({verb}...), nothing creates it")))
    return out


def _refusal(operation: str) -> tuple[str, str] | None:
    verb = naming.first_word(operation)
    if verb == "Batch":
        return "batch", "acts on many resources in one call"
    if verb in naming.ASSOCIATION_VERBS:
        return "association", f"{verb} links resources rather than creating one"
    association = _ASSOCIATION.match(operation)
    if association and not association.group("what").startswith(("Tags", "Tag")):
        return "association", (f"{verb}s a {association.group('what')} to or from a "
                               f"{association.group('target')} rather than creating one")
    if naming.split(operation) is None:
        return "verb", f"'{verb}' is no create, read, list, update or delete verb"
    return None


def _candidate(operation: str, parsed: OperationName, singular: set[str], created: set[str]) -> Candidate | Unresolved:
    verb, noun = parsed.verb, parsed.noun
    many_of = naming.singular_of(noun, singular - {noun}) if noun.endswith(("s", "List", "Summaries")) else None
    if verb in naming.LIST_VERBS:
        target = noun if noun in singular else (naming.singular_of(noun, singular) or noun)
        return Candidate(operation, "list", target, plural=True)
    if verb in naming.READ_VERBS:
        lookup = _lookup_target(noun, created) if verb == "Get" else None
        if lookup and noun not in created:
            return Candidate(operation, "lookup", lookup)
        if many_of:
            return Candidate(operation, "read", many_of, plural=True, attributes=parsed.attributes)
        return Candidate(operation, "read", noun, attributes=parsed.attributes)
    if many_of:
        return Unresolved(operation, "batch", f"{verb}s many {many_of} resources in one call")
    if verb in ("Create", "Register", "Add"):
        return Candidate(operation, "create", noun)
    if verb in ("Put", "Set"):
        if parsed.attributes or noun in created:
            return Candidate(operation, "update", noun, attributes=parsed.attributes)
        return Candidate(operation, "create", noun, upsert=True)
    if verb in naming.UPDATE_VERBS:
        return Candidate(operation, "update", noun, attributes=parsed.attributes)
    return Candidate(operation, "delete", noun)


def _lookup_target(noun: str, created: set[str]) -> str | None:
    parsed = naming.parse_member(noun)
    if parsed is None or parsed.many or parsed.prefix or not parsed.stem:
        return None
    return next((family for family in created if family.lower() == parsed.stem), None)
