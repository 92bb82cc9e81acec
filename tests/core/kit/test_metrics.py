"""core.ports' metrics port and core.kit.metrics: a service's free metrics reach CloudWatch,
which is started on first use, one point per metric and minute."""

from __future__ import annotations

from hoarfrost.core.emulator import Emulator
from hoarfrost.core.ports import MetricDatum


def test_put_metrics_starts_cloudwatch_and_aggregates_per_minute() -> None:
    emulator = Emulator()
    try:
        assert "cloudwatch" not in [service.name for service in emulator.started_services()]
        dims = (("QueueName", "q"),)
        for value in (1.0, 1.0, 3.0):
            emulator.ports.put_metrics("111122223333", "eu-west-1", "AWS/Test",
                                       [MetricDatum("Hits", value, "Count", dims)])
        view = emulator.service("cloudwatch").snapshot("111122223333", "eu-west-1")
        [metric] = view.metrics
        assert (metric.namespace, metric.metric_name, metric.dimensions) == ("AWS/Test", "Hits", {"QueueName": "q"})
        [point] = metric.points
        assert (point.sample_count, point.sum, point.minimum, point.maximum) == (3.0, 5.0, 1.0, 3.0)
        assert (point.values, point.counts) == ([1.0, 3.0], [2.0, 1.0])
        emulator.clock.advance(60)
        emulator.ports.put_metrics("111122223333", "eu-west-1", "AWS/Test", [MetricDatum("Hits", 1.0, "Count", dims)])
        assert len(emulator.service("cloudwatch").snapshot("111122223333", "eu-west-1").metrics[0].points) == 2
    finally:
        emulator.close()
