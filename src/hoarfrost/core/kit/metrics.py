"""Metrics a service emits for free, as AWS does (SQS queue counts, Lambda invocations): one call
in a handler, delivered to CloudWatch after the handler's lock is released (``core.ports``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hoarfrost.core.ports import MetricDatum

if TYPE_CHECKING:
    from hoarfrost.core.operations import RequestContext


def emit(ctx: RequestContext[Any, Any], namespace: str, data: list[MetricDatum]) -> None:
    """Put ``data`` into ``namespace`` of the request's scope once the request committed."""
    ports, account, region = ctx.emulator.ports, ctx.scope.account, ctx.scope.region
    ctx.after_commit(lambda: ports.put_metrics(account, region, namespace, data))


__all__ = ["MetricDatum", "emit"]
