"""Every service botocore ships: its catalog builds, accounts for every operation, refers only
to families it has, and reads back from the disk cache unchanged. The totals and build
times are printed in pytest's terminal summary."""

from __future__ import annotations

import time

from hoarfrost.core import catalog as models
from hoarfrost.generic.catalog import ServiceCatalog
from hoarfrost.generic.model import ServiceView
from hoarfrost.generic.render import Counts
from hoarfrost.generic.store import CatalogStore
from tests.coverage_report import report
from tests.generic.conftest import Built


def _accounted(built: ServiceCatalog) -> set[str]:
    operations = {role.operation for family in built.families for roles in family.operations.values()
                  for role in roles}
    operations |= {op for tags in built.tagging for op in (tags.tag, tags.untag, tags.list) if op}
    return operations


def _check(built: ServiceCatalog) -> list[str]:
    """What would make the catalog lie to the engine."""
    wrong: list[str] = []
    names = {family.name for family in built.families}
    served = _accounted(built)
    left = {item.operation for item in built.unresolved}
    model = set(ServiceView.load(built.service).operations)
    if served | left != model:
        wrong.append(f"{built.service}: operations neither served nor unresolved: {sorted(model - served - left)}")
    if served & left:
        wrong.append(f"{built.service}: both served and unresolved: {sorted(served & left)}")
    for family in built.families:
        for parent in family.parents:
            if parent.family not in names:
                wrong.append(f"{built.service}.{family.name}: parent {parent.family} is no family")
        kinds = {ident.kind for ident in family.identifiers}
        for roles in family.operations.values():
            for role in roles:
                for binding in role.bindings:
                    if binding.family not in names:
                        wrong.append(f"{built.service}.{role.operation}: {binding.member} names no family")
                    own = binding.family == family.name and binding.required and role.role != "create"
                    if family.resolved and own and not set(binding.kinds) & kinds:
                        wrong.append(f"{built.service}.{role.operation}: {binding.member} holds no identifier "
                                     f"{family.name} has")
    return wrong


def test_every_service_builds_and_reads_back_from_the_cache(built: Built) -> None:
    cold, cold_seconds = built.catalogs, built.seconds
    started = time.perf_counter()
    warm = CatalogStore(built.directory).all()  # a later process: every catalog from disk
    warm_seconds = time.perf_counter() - started
    assert warm == cold
    services = models.available_services()
    assert [built.service for built in cold] == list(services)
    wrong = [problem for built in cold for problem in _check(built)]
    assert not wrong, "\n".join(wrong[:40])

    counts = Counts.of(cold)
    report(f"generic catalogs: {len(services)} services built cold in {cold_seconds:.1f}s, "
           f"read back from the disk cache in {warm_seconds:.2f}s")
    for line in counts.lines():
        report(f"  {line}")
    # Floors, so a change that loses families shows here (botocore 1.44: 1,885 complete).
    assert counts.services_with_families >= 380
    assert counts.complete >= 1700 and counts.resolved >= 1650
