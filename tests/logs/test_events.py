"""Log events: PutLogEvents' batch rules, GetLogEvents' tokens, FilterLogEvents' patterns."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from hoarfrost.core.ports import log_events_message
from tests.harness import Harness
from tests.logs.conftest import code, now_ms

DAY = 86_400_000


@pytest.fixture
def stream(logs: Any) -> tuple[str, str]:
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    return "g", "s"


def _put(logs: Any, events: list[tuple[int, str]], stream: str = "s") -> dict[str, Any]:
    return logs.put_log_events(logGroupName="g", logStreamName=stream,
                               logEvents=[{"timestamp": t, "message": m} for t, m in events])


def test_put_log_events_batch_rules(logs: Any, aws: Harness, stream: Any) -> None:
    t = now_ms(aws)
    with pytest.raises(ClientError) as exc:
        _put(logs, [(t, "b"), (t - 1, "a")])
    assert code(exc) == "InvalidParameterException" and "chronological" in exc.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as exc:
        _put(logs, [(t - DAY - 1, "a"), (t, "b")])
    assert "24 hours" in exc.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as exc:
        _put(logs, [(t, "x" * 300_000)] * 4)
    assert code(exc) == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        logs.put_log_events(logGroupName="g", logStreamName="nope", logEvents=[{"timestamp": t, "message": "m"}])
    assert code(exc) == "ResourceNotFoundException"
    # One too old (15 days), one too new (3 hours ahead): both left out and reported by index.
    old = [(t - 15 * DAY + i, f"old{i}") for i in range(2)]
    out = _put(logs, old)
    assert out["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2}
    out = _put(logs, [(t, "ok"), (t + 3 * 3_600_000, "future")], )
    assert out["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    assert out["nextSequenceToken"]
    # Sequence tokens are accepted and ignored.
    logs.put_log_events(logGroupName="g", logStreamName="s", sequenceToken="whatever",
                        logEvents=[{"timestamp": t + 1, "message": "ok2"}])
    assert [e["message"] for e in logs.get_log_events(logGroupName="g", logStreamName="s")["events"]] == ["ok", "ok2"]


def test_expired_events_are_reported_with_retention(logs: Any, aws: Harness, stream: Any) -> None:
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    t = now_ms(aws)
    out = _put(logs, [(t - DAY - 20, "expired"), (t - DAY - 10, "expired"), (t - DAY // 2, "kept")])
    assert out["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 2}


def test_events_are_kept_in_time_order_across_batches(logs: Any, aws: Harness, stream: Any) -> None:
    t = now_ms(aws)
    _put(logs, [(t + 10, "late")])
    _put(logs, [(t + 5, "early")])
    got = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in got] == ["early", "late"]
    assert all(e["ingestionTime"] >= t for e in got)


def test_get_log_events_tokens_forward_and_backward(logs: Any, aws: Harness, stream: Any) -> None:
    t = now_ms(aws)
    _put(logs, [(t + i, f"m{i}") for i in range(10)])
    msgs = lambda page: [e["message"] for e in page["events"]]
    head = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True, limit=4)
    assert msgs(head) == ["m0", "m1", "m2", "m3"]
    nxt = logs.get_log_events(logGroupName="g", logStreamName="s", limit=4, nextToken=head["nextForwardToken"])
    assert msgs(nxt) == ["m4", "m5", "m6", "m7"]
    back = logs.get_log_events(logGroupName="g", logStreamName="s", limit=2, nextToken=nxt["nextBackwardToken"])
    assert msgs(back) == ["m2", "m3"]
    last = logs.get_log_events(logGroupName="g", logStreamName="s", limit=4, nextToken=nxt["nextForwardToken"])
    assert msgs(last) == ["m8", "m9"]
    end = logs.get_log_events(logGroupName="g", logStreamName="s", limit=4, nextToken=last["nextForwardToken"])
    assert end["events"] == [] and end["nextForwardToken"] == last["nextForwardToken"]
    tail = logs.get_log_events(logGroupName="g", logStreamName="s", limit=3)
    assert msgs(tail) == ["m7", "m8", "m9"]
    window = logs.get_log_events(logGroupName="g", logStreamName="s", startTime=t + 2, endTime=t + 5)
    assert msgs(window) == ["m2", "m3", "m4"]
    with pytest.raises(ClientError) as exc:
        logs.get_log_events(logGroupName="g", logStreamName="s", nextToken="x/1")
    assert code(exc) == "InvalidParameterException"


def _filter(logs: Any, pattern: str, **kw: Any) -> list[str]:
    return [e["message"] for e in logs.filter_log_events(logGroupName="g", filterPattern=pattern, **kw)["events"]]


def test_filter_log_events_patterns(logs: Any, aws: Harness, stream: Any) -> None:
    logs.create_log_stream(logGroupName="g", logStreamName="other")
    t = now_ms(aws)
    _put(logs, [(t, "ERROR disk full"), (t + 2, "WARN low memory"), (t + 4, "INFO all good"),
                (t + 6, json.dumps({"level": "error", "code": 500, "user": {"name": "bob"}, "tags": ["a", "b"]})),
                (t + 8, json.dumps({"level": "info", "code": 200, "ok": True}))])
    _put(logs, [(t + 1, "ERROR other stream"),
                (t + 3, '10.0.0.1 alice [04/Dec/2026] "GET /x" 404 512'),
                (t + 5, '10.0.0.2 bob [04/Dec/2026] "GET /y" 200 20')], stream="other")
    assert _filter(logs, "") == [
        "ERROR disk full", "ERROR other stream", "WARN low memory", '10.0.0.1 alice [04/Dec/2026] "GET /x" 404 512',
        "INFO all good", '10.0.0.2 bob [04/Dec/2026] "GET /y" 200 20',
        json.dumps({"level": "error", "code": 500, "user": {"name": "bob"}, "tags": ["a", "b"]}),
        json.dumps({"level": "info", "code": 200, "ok": True})]
    assert _filter(logs, "ERROR") == ["ERROR disk full", "ERROR other stream"]
    assert _filter(logs, "ERROR -other") == ["ERROR disk full"]
    assert _filter(logs, '"disk full"') == ["ERROR disk full"]
    assert _filter(logs, "?WARN ?INFO") == ["WARN low memory", "INFO all good"]
    assert len(_filter(logs, '{ $.code = 500 }')) == 1
    assert len(_filter(logs, '{ $.code >= 200 && $.level != "error" }')) == 1
    assert len(_filter(logs, '{ $.user.name = "bo*" || $.ok IS TRUE }')) == 2
    assert len(_filter(logs, '{ $.tags[1] = "b" }')) == 1
    assert len(_filter(logs, '{ $.user NOT EXISTS }')) == 1
    assert _filter(logs, "[ip, user, ..., status = 404, size]") == ['10.0.0.1 alice [04/Dec/2026] "GET /x" 404 512']
    assert _filter(logs, "[ip, user = bob, date, request, status, size < 100]") == [
        '10.0.0.2 bob [04/Dec/2026] "GET /y" 200 20']
    assert _filter(logs, "ERROR", logStreamNames=["other"]) == ["ERROR other stream"]
    assert _filter(logs, "ERROR", logStreamNamePrefix="s") == ["ERROR disk full"]
    assert _filter(logs, "", startTime=t + 2, endTime=t + 4) == [
        "WARN low memory", '10.0.0.1 alice [04/Dec/2026] "GET /x" 404 512', "INFO all good"]
    with pytest.raises(ClientError) as exc:
        _filter(logs, "{ $.code = }")
    assert code(exc) == "InvalidParameterException"


def test_filter_log_events_pages_with_unique_ids(logs: Any, aws: Harness, stream: Any) -> None:
    t = now_ms(aws)
    _put(logs, [(t, f"m{i}") for i in range(5)])
    first = logs.filter_log_events(logGroupName="g", limit=3)
    second = logs.filter_log_events(logGroupName="g", limit=3, nextToken=first["nextToken"])
    events = first["events"] + second["events"]
    assert [e["message"] for e in events] == [f"m{i}" for i in range(5)] and "nextToken" not in second
    assert len({e["eventId"] for e in events}) == 5 and all(e["logStreamName"] == "s" for e in events)


def test_sink_writes_events_by_group_arn(logs: Any, aws: Harness) -> None:
    t = now_ms(aws)
    arn = f"arn:aws:logs:us-east-1:{aws.account}:log-group:/aws/lambda/f:*"
    aws.emulator.deliver(arn, log_events_message("2026/12/04/[$LATEST]abc", [(t + 1, "second"), (t, "first")]))
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/f")["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["2026/12/04/[$LATEST]abc"]
    got = logs.get_log_events(logGroupName="/aws/lambda/f", logStreamName="2026/12/04/[$LATEST]abc")
    assert [e["message"] for e in got["events"]] == ["first", "second"]
