"""Catalogs as text for people: one service in full, or counts for many."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from hoarfrost.generic.catalog import (
    Binding,
    Family,
    Identifier,
    OperationRole,
    ServiceCatalog,
    to_json,
)

ROLE_ORDER = ("create", "read", "list", "update", "delete", "lookup")


def _binding(binding: Binding, family: str) -> str:
    kinds = "|".join(binding.kinds)
    match = {"exact": "", "any": "[]", "prefix": "*"}[binding.match]
    optional = "?" if not binding.required else ""
    owner = "" if binding.family == family else f"->{binding.family}"
    return f"{binding.member}{match}{optional}({kinds}{owner})"


def _identifier(ident: Identifier) -> str:
    sources = []
    if ident.input_paths:
        sources.append("in " + " or ".join(ident.input_paths))
    if ident.output_path:
        sources.append(f"out {ident.output_path}")
    key = " key" if ident.key else ""
    return f"{ident.kind} {ident.member}{key} <- {' / '.join(sources) or '?'}"


def _operation(role: OperationRole, family: str) -> str:
    parts = [f"    {role.role:<7} {role.operation}"]
    if role.bindings:
        parts.append("by " + ", ".join(_binding(b, family) for b in role.bindings))
    if role.resource_path is not None:
        where = role.resource_path or "(top level)"
        if role.items:
            where = f"{where}[] of {role.items}"
        parts.append(f"-> {where}")
    if role.many and role.role == "read":
        parts.append("(many)")
    if role.upsert:
        parts.append("(upsert)")
    if role.attributes:
        parts.append("(attributes)")
    if role.paging is not None:
        paging = role.paging
        parts.append(f"pages {'/'.join(paging.input_tokens) or '-'}->{'/'.join(paging.output_tokens) or '-'}"
                     f" limit {paging.limit or '-'} ({paging.source})")
    return "  ".join(parts)


def family_text(family: Family) -> list[str]:
    state = "resolved" if family.resolved else "servable" if family.servable else "unservable"
    head = f"  {family.name}  [{state}]"
    keyed = [p for p in family.parents if p.keyed]
    others = [p for p in family.parents if not p.keyed]
    if keyed:
        head += "  in " + " > ".join(f"{p.family} by {p.member}{'' if p.required else '?'}" for p in keyed)
    if others:
        head += "  refers to " + ", ".join(f"{p.family} by {p.member}" for p in others)
    if family.singleton:
        head += "  (one per parent)" if family.parents else "  (one per account and region)"
    lines = [head]
    if family.identifiers:
        lines.append("    identifiers: " + "; ".join(_identifier(i) for i in family.identifiers))
    for role in ROLE_ORDER:
        lines += [_operation(r, family.name) for r in family.operations.get(role, ())]
    errors = []
    if family.not_found_error:
        errors.append(f"not found {family.not_found_error}")
    if family.exists_error:
        errors.append(f"exists {family.exists_error}")
    if errors:
        lines.append("    errors: " + "; ".join(errors))
    if family.status:
        lines.append(f"    status: {family.status.path} ({family.status.active or 'no active value'} of "
                     f"{len(family.status.values)})")
    if family.tags:
        lines.append(f"    tags: {family.tags.member} ({family.tags.form})")
    if family.missing:
        lines.append("    missing: " + ", ".join(family.missing))
    lines += [f"    problem: {problem}" for problem in family.problems]
    lines += [f"    warning: {warning}" for warning in family.warnings]
    lines += [f"    hint: {hint}" for hint in family.hints]
    return lines


def catalog_text(catalog: ServiceCatalog) -> str:
    count = Counts.of([catalog])
    lines = [f"{catalog.service}: {count.families} families ({count.complete} complete, {count.resolved} resolved), "
             f"{count.resolved_operations} operations in servable families, {count.unresolved} unresolved"]
    for family in catalog.families:
        lines += family_text(family)
    if catalog.tagging:
        lines.append("tagging:")
        for tags in catalog.tagging:
            ops = ", ".join(op for op in (tags.tag, tags.untag, tags.list) if op)
            lines.append(f"  {tags.family or '(by resource)'}: {ops}; resource {tags.resource_member}"
                         + (f"; tags {tags.tags.member} ({tags.tags.form})" if tags.tags else ""))
    if catalog.unresolved:
        lines.append("unresolved:")
        width = max(len(item.operation) for item in catalog.unresolved)
        lines += [f"  {item.operation:<{width}}  {item.reason}: {item.detail}" for item in catalog.unresolved]
    if catalog.hints:
        lines.append("hints applied: " + ", ".join(catalog.hints))
    return "\n".join(lines) + "\n"


@dataclass
class Counts:
    """Totals over catalogs: what the engine can serve and what it leaves NotImplemented."""

    services: int = 0
    services_with_families: int = 0
    families: int = 0
    complete: int = 0
    resolved: int = 0
    servable: int = 0
    resolved_operations: int = 0
    tag_operations: int = 0
    unresolved: int = 0
    by_role: Counter[str] = field(default_factory=Counter)
    by_reason: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, catalogs: Iterable[ServiceCatalog]) -> Counts:
        out = cls()
        for catalog in catalogs:
            out.services += 1
            out.services_with_families += bool(catalog.families)
            for family in catalog.families:
                out.families += 1
                out.complete += family.complete
                out.resolved += family.resolved
                out.servable += family.servable
                if family.servable:
                    operations = {r.operation for rs in family.operations.values() for r in rs}
                    out.resolved_operations += len(operations)
                    for role, items in family.operations.items():
                        out.by_role[role] += len(items)
                for role in ("create", "read"):
                    out.missing[role] += role in family.missing
            out.tag_operations += sum(bool(op) for t in catalog.tagging for op in (t.tag, t.untag, t.list))
            out.unresolved += len(catalog.unresolved)
            out.by_reason.update(item.reason for item in catalog.unresolved)
        return out

    def lines(self) -> list[str]:
        roles = ", ".join(f"{role} {self.by_role[role]}" for role in ROLE_ORDER if self.by_role[role])
        reasons = ", ".join(f"{reason} {count}" for reason, count in self.by_reason.most_common())
        return [
            f"services: {self.services}, with at least one family: {self.services_with_families}",
            f"families: {self.families}; complete (create+read+delete): {self.complete}; "
            f"fully resolved: {self.resolved}; servable (create+read, no problem): {self.servable}",
            f"families with no create: {self.missing['create']}, no read: {self.missing['read']}",
            f"operations in servable families: {self.resolved_operations} (by role: {roles})",
            f"tag operations: {self.tag_operations}",
            f"unresolved operations: {self.unresolved} ({reasons})",
        ]


def summary_text(catalogs: list[ServiceCatalog]) -> str:
    rows = []
    for catalog in catalogs:
        count = Counts.of([catalog])
        rows.append(f"{catalog.service:<36} {count.families:>5} {count.complete:>8} {count.resolved:>8} "
                    f"{count.resolved_operations:>10} {count.unresolved:>10}")
    header = f"{'service':<36} {'fams':>5} {'complete':>8} {'resolved':>8} {'served ops':>10} {'unresolved':>10}"
    return "\n".join([header, *rows, "", *Counts.of(catalogs).lines()]) + "\n"


def catalog_document(catalog: ServiceCatalog) -> dict[str, Any]:
    """A catalog as JSON, each family with its derived state (complete, resolved, servable)."""
    document: dict[str, Any] = to_json(catalog)
    for family, entry in zip(catalog.families, document.get("families", []), strict=True):
        entry.update(complete=family.complete, resolved=family.resolved, servable=family.servable,
                     parent=family.parent.family if family.parent else None)
    return document


def summary_document(catalogs: list[ServiceCatalog]) -> dict[str, Any]:
    def counts(value: Counts) -> dict[str, Any]:
        return {item.name: dict(getattr(value, item.name)) if isinstance(getattr(value, item.name), Counter)
                else getattr(value, item.name) for item in fields(value)}

    return {"services": {catalog.service: counts(Counts.of([catalog])) for catalog in catalogs},
            "total": counts(Counts.of(catalogs))}
