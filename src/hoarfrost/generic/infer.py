"""A service's resource families, inferred once from its botocore model (and hints).

The steps, each in its own module: tag operations are set aside (``tagging``); the rest are
grouped by noun with a role from their verb (``grouping``); each family's operations have
their identifying members bound to the family or a parent (``identity``), which also finds
where CreateX carries each identifier; outputs are located (``outputs``), lists paged
(``pagination``) and errors sorted (``error_roles``), one family at a time (``builder``);
operations on a facet of a resource (Lambda's UpdateFunctionConfiguration) join its family
(``facets``); what needs every family is decided last (``linking``). What cannot be decided
is returned as ``Unresolved`` (an operation) or a family ``problem``, never guessed.
"""

from __future__ import annotations

from hoarfrost.generic import facets, linking, tagging
from hoarfrost.generic.builder import FamilyBuilder
from hoarfrost.generic.catalog import Family, ServiceCatalog, Unresolved
from hoarfrost.generic.grouping import Candidate, group
from hoarfrost.generic.hints import ServiceHints, for_service
from hoarfrost.generic.identity import Ownership
from hoarfrost.generic.model import ServiceView


def infer(service: str, view: ServiceView | None = None, hints: ServiceHints | None = None) -> ServiceCatalog:
    view = view or ServiceView.load(service)
    hints = for_service(service) if hints is None else hints
    applied: list[str] = []
    tag_sets, tag_operations = tagging.find(view)
    grouping = group([op for op in view.operation_names if op not in tag_operations], hints)
    applied += [f"operations.{op}" for op in hints.operations if op in view.operations]
    unresolved = list(grouping.unresolved)

    drafts: dict[str, list[Candidate]] = {}
    for noun, candidates in grouping.families.items():
        hint = hints.families.get(noun)
        if hint is not None and hint.exclude:
            applied.append(f"families.{noun}.exclude")
            unresolved += [Unresolved(c.operation, "hint", hint.exclude) for c in candidates]
        else:
            drafts[noun] = candidates
    creatable = {noun for noun, candidates in drafts.items() if any(c.role == "create" for c in candidates)}
    ownership = Ownership(view, {noun: [c.operation for c in cs] for noun, cs in drafts.items()}, creatable, hints)
    applied += [f"owners.{member}" for member in hints.owners]

    families: list[Family] = []
    for noun, candidates in drafts.items():
        builder = FamilyBuilder(view, noun, candidates, ownership, hints.families.get(noun))
        family = builder.build()
        unresolved += builder.unresolved
        applied += builder.applied
        if family is not None:
            families.append(family)

    families, unresolved = facets.absorb(view, families, unresolved, ownership)
    families = linking.narrow_kinds(linking.order_parents(families))
    families, tag_sets = linking.rename(families, tag_sets, hints, applied)
    unresolved.sort(key=lambda item: item.operation)
    return ServiceCatalog(service, tuple(sorted(families, key=lambda f: f.name)), tuple(tag_sets),
                          tuple(unresolved), tuple(sorted(set(applied))))
