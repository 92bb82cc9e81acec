"""Every family the engine serves, round-tripped through boto3, in-process and over HTTP;
per-service and total counts go to pytest's terminal summary.

A 5xx or an unparseable answer fails the service's test at once. The totals are checked
last (``test_totals``): at least 80% of all families must round-trip in each mode, and at
least one family of every service.
"""

from __future__ import annotations

import pytest

from hoarfrost.core import catalog as models
from hoarfrost.generic.engine.plan import serves
from hoarfrost.services import IMPLEMENTED
from tests.coverage_report import report
from tests.generic.roundtrip import ServiceResult, client_for, served_families, sweep
from tests.harness import InProcessHarness, ServerHarness

# Services the engine serves, and hand-written ones with an engine part (SSM's documents).
SERVICES = [name for name in models.available_services()
            if (serves(name) or name in IMPLEMENTED) and served_families(name)]
RESULTS: dict[str, dict[str, ServiceResult]] = {"in-process": {}, "over HTTP": {}}
TARGET = 0.80


def _check(result: ServiceResult) -> None:
    hard = [outcome for outcome in result.outcomes if outcome.hard]
    assert not hard, "\n".join(f"{outcome.family}: {outcome.failure}" for outcome in hard)


@pytest.mark.parametrize("service", SERVICES)
def test_round_trip(service: str) -> None:
    with InProcessHarness() as harness:
        result = sweep(client_for(harness, service), service)
    RESULTS["in-process"][service] = result
    _check(result)


@pytest.mark.parametrize("service", SERVICES)
def test_round_trip_over_http(service: str, server: ServerHarness) -> None:
    result = sweep(client_for(server, service), service)
    RESULTS["over HTTP"][service] = result
    _check(result)


def test_totals() -> None:
    """The sweep's totals, per mode (at least 80% of families, and a family of every service);
    enforced only when the whole sweep ran."""
    complete = [mode for mode, results in RESULTS.items() if len(results) == len(SERVICES)]
    if not complete:
        pytest.skip("the sweep did not run for every service (a selection of tests ran)")
    for mode in complete:
        results = RESULTS[mode]
        total = sum(len(result.outcomes) for result in results.values())
        passed = sum(result.passed for result in results.values())
        services_ok = sum(1 for result in results.values() if result.passed)
        report(f"generic engine round trips {mode}: {passed}/{total} families ({passed / total:.1%}), "
               f"{services_ok}/{len(results)} services with at least one")
        none = sorted(name for name, result in results.items() if not result.passed)
        if none:
            report(f"  {mode}, no family round-trips: {', '.join(none)}")
        if mode == "in-process":
            for name in sorted(results):
                result = results[name]
                failures = "; ".join(f"{outcome.family}: {outcome.failure}" for outcome in result.outcomes
                                     if not outcome.ok)
                report(f"  {name}: {result.passed}/{len(result.outcomes)}" + (f"  [{failures[:400]}]" if failures else ""))
        assert passed >= TARGET * total, f"{mode}: {passed}/{total} families round-trip, below {TARGET:.0%}"
        # The rule: every service with a family has one that round-trips.
        assert not none, f"{mode}: services where no family round-trips: {none}"
