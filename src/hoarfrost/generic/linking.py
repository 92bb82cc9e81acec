"""What is decided across a service's families once each is built: parents ordered outermost
first, members naming another family narrowed to the identifiers it has (or dropped where
it has none, or was given up on), and the renames hints ask for."""

from __future__ import annotations

from dataclasses import replace

from hoarfrost.generic.catalog import Binding, Family, IdKind, Tagging
from hoarfrost.generic.hints import ServiceHints


def narrow_kinds(families: list[Family]) -> list[Family]:
    """Members naming another family keep only the kinds that family has identifiers of
    (CloudWatch Logs' logGroupIdentifier takes a name or an ARN; a LogGroup has a name)."""
    kinds = {family.name: {ident.kind for ident in family.identifiers} for family in families}
    # A family with no identifier of its own, one per parent, cannot be named by a member:
    # ELBv2's Subnets (SetSubnets) is not what CreateLoadBalancer's Subnets list holds.
    unnamable = {family.name for family in families if family.singleton and not family.identifiers}
    out: list[Family] = []
    for family in families:
        warnings = list(family.warnings)
        operations = {role: tuple(replace(r, bindings=_narrowed(r.bindings, family.name, kinds, unnamable, warnings))
                                  for r in rs) for role, rs in family.operations.items()}
        create_bindings = {b.member: b for r in operations.get("create", ()) for b in r.bindings}
        parents = tuple(replace(p, kinds=create_bindings[p.member].kinds) if p.member in create_bindings else p
                        for p in family.parents if p.family not in unnamable and p.family in kinds)
        out.append(replace(family, operations=operations, parents=parents,
                           warnings=tuple(dict.fromkeys(warnings))))
    return out


def _narrowed(bindings: tuple[Binding, ...], family: str, kinds: dict[str, set[IdKind]], unnamable: set[str],
              warnings: list[str]) -> tuple[Binding, ...]:
    out: list[Binding] = []
    for binding in bindings:
        if binding.family == family:
            out.append(binding)
        elif binding.family in unnamable or binding.family not in kinds:
            continue  # or a family inference gave up on (ELBv2's SecurityGroups)
        else:
            kept = tuple(kind for kind in binding.kinds if kind in kinds[binding.family])
            if not kept and kinds[binding.family]:
                warnings.append(f"{binding.member} names a {binding.family} by {'|'.join(binding.kinds)}, "
                                f"which it has no identifier of")
            out.append(replace(binding, kinds=kept or binding.kinds[:1]))
    return tuple(out)


def order_parents(families: list[Family]) -> list[Family]:
    """Each family's keyed parents outermost first (AppSync's Resolver: GraphqlApi, then
    Type), then the ones CreateX only requires."""
    direct = {family.name: [parent.family for parent in family.parents] for family in families}

    def ancestors(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        out: set[str] = set()
        for parent in direct.get(name, ()):
            if parent not in seen:
                out |= {parent} | ancestors(parent, seen | {name})
        return out

    ordered: list[Family] = []
    for family in families:
        parents = list(family.parents)
        depth = {p.family: len(ancestors(p.family)) for p in parents}
        parents.sort(key=lambda p: (not p.keyed, depth[p.family]))
        ordered.append(replace(family, parents=tuple(parents)))
    return ordered


def rename(families: list[Family], tag_sets: list[Tagging], hints: ServiceHints,
            applied: list[str]) -> tuple[list[Family], list[Tagging]]:
    names = {noun: hint.rename for noun, hint in hints.families.items() if hint.rename}
    if not names:
        return families, tag_sets
    present = {family.name for family in families}
    applied += [f"families.{noun}.rename" for noun in names if noun in present]

    def new(name: str) -> str:
        return names.get(name, name)

    def bindings(items: tuple[Binding, ...]) -> tuple[Binding, ...]:
        return tuple(replace(b, family=new(b.family)) for b in items)

    out = []
    for family in families:
        operations = {role: tuple(replace(r, bindings=bindings(r.bindings)) for r in rs)
                      for role, rs in family.operations.items()}
        parents = tuple(replace(p, family=new(p.family)) for p in family.parents)
        out.append(replace(family, name=new(family.name), operations=operations, parents=parents))
    return out, [replace(t, family=new(t.family)) if t.family else t for t in tag_sets]
