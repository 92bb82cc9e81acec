"""LogsStateView: one account/region of CloudWatch Logs as plain, typed data.

A view holds every log group with its settings (retention, KMS key, class, tags), its streams
with every stored event (timestamp, message, ingestion time, arrival number), its metric
filters and subscription filters. Restoring it gives back exactly the same reads.

Merge (the rule every service follows): a group whose name exists takes the view's settings,
and its streams and filters merge by name (a stream in the view replaces the stream with that
name, events included); nothing is removed.
"""

from __future__ import annotations

from hoarfrost.core.kit.records import RecordView, record_view
from hoarfrost.core.views import StateView
from hoarfrost.services.logs.state import (
    LogEvent,
    LogGroup,
    LogsBackend,
    LogStream,
    MetricFilter,
    MetricTransformation,
    Query,
    SubscriptionFilter,
)


@record_view(LogEvent)
class LogEventView(RecordView):
    """One event; ``seq`` is its arrival number in its stream (orders equal timestamps)."""


@record_view(LogStream, key="name", exclude=("stored_bytes",))
class LogStreamView(RecordView):
    """A stream and its events in time order."""


@record_view(MetricTransformation)
class MetricTransformationView(RecordView):
    """What a metric filter publishes per matching event."""


@record_view(MetricFilter, key="name")
class MetricFilterView(RecordView):
    """A metric filter: its pattern and transformations."""


@record_view(SubscriptionFilter, key="name")
class SubscriptionFilterView(RecordView):
    """A subscription filter: its pattern and destination ARN."""


@record_view(LogGroup, key="name")
class LogGroupView(RecordView):
    """A log group with its streams and filters."""


@record_view(Query, key="query_id")
class QueryView(RecordView):
    """A Logs Insights query with its results."""


class LogsStateView(StateView):
    """CloudWatch Logs in one account/region: its log groups and Insights queries."""

    log_groups: list[LogGroupView] = []
    queries: list[QueryView] = []


def to_view(backend: LogsBackend) -> LogsStateView:
    return LogsStateView(log_groups=[LogGroupView.of(backend.groups[name]) for name in backend.names],
                         queries=[QueryView.of(query) for query in backend.queries.values()])


def from_view(view: LogsStateView, account: str, region: str) -> LogsBackend:
    backend = LogsBackend(account, region)
    for item in view.log_groups:
        if item.name in backend.groups:
            raise ValueError(f"log group {item.name!r} appears twice")
        group: LogGroup = item.to_record()
        for stream in group.streams.values():
            seqs = [event.seq for event in stream.events]
            if len(set(seqs)) != len(seqs):
                raise ValueError(f"log stream {stream.name!r} has two events with one seq")
            stream.next_seq = max(stream.next_seq, max(seqs, default=-1) + 1)
        backend.add(group)
    for query_view in view.queries:
        query: Query = query_view.to_record()
        if query.query_id in backend.queries:
            raise ValueError(f"query {query.query_id!r} appears twice")
        backend.queries[query.query_id] = query
    return backend


def merge(target: LogsBackend, source: LogsBackend) -> None:
    target.queries.update(source.queries)
    for name in source.names:
        existing = target.groups.get(name)
        if existing is None:
            target.add(source.groups[name])
        else:
            LogGroupView.merge(existing, source.groups[name])
