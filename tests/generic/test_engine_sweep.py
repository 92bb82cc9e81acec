"""Every family the engine serves, round-tripped through boto3 in-process; per-service and
total counts go to pytest's terminal summary. The pass rate is reported, not enforced yet;
a 5xx or an unparseable answer fails the test."""

from __future__ import annotations

import pytest

from hoarfrost.core import catalog as models
from hoarfrost.generic.engine.plan import serves
from tests.coverage_report import report
from tests.generic.roundtrip import ServiceResult, served_families, sweep
from tests.harness import InProcessHarness, ServerHarness

SERVICES = [name for name in models.available_services() if serves(name) and served_families(name)]
RESULTS: dict[str, ServiceResult] = {}


@pytest.mark.parametrize("service", SERVICES)
def test_round_trip(service: str) -> None:
    with InProcessHarness() as harness:
        result = sweep(harness.client(service), service)
    RESULTS[service] = result
    if len(RESULTS) == len(SERVICES):
        _report()
    hard = [outcome for outcome in result.outcomes if outcome.hard]
    assert not hard, "\n".join(f"{outcome.family}: {outcome.failure}" for outcome in hard)


def _report() -> None:
    total = sum(len(result.outcomes) for result in RESULTS.values())
    passed = sum(result.passed for result in RESULTS.values())
    services_ok = sum(1 for result in RESULTS.values() if result.passed)
    report(f"generic engine round trips: {passed}/{total} families, {services_ok}/{len(RESULTS)} services "
           f"with at least one")
    for name in sorted(RESULTS):
        result = RESULTS[name]
        failures = "; ".join(f"{outcome.family}: {outcome.failure}" for outcome in result.outcomes
                             if not outcome.ok)
        report(f"  {name}: {result.passed}/{len(result.outcomes)}" + (f"  [{failures[:400]}]" if failures else ""))


# Over HTTP for a handful of services, one per protocol family the engine meets most.
OVER_HTTP = ["glue", "ecr", "logs", "secretsmanager", "apigateway", "codecommit", "elasticache", "route53"]


@pytest.mark.parametrize("service", [name for name in OVER_HTTP if name in SERVICES])
def test_round_trip_over_http(service: str, server: ServerHarness) -> None:
    result = sweep(server.client(service), service)
    hard = [outcome for outcome in result.outcomes if outcome.hard]
    assert not hard, "\n".join(f"{outcome.family}: {outcome.failure}" for outcome in hard)
    assert result.passed, f"{service}: no family round-trips over HTTP: {result.outcomes}"
    report(f"  over HTTP {service}: {result.passed}/{len(result.outcomes)}")
