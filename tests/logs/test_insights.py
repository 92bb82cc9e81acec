"""Logs Insights: StartQuery / GetQueryResults over stored events."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.logs.conftest import code, now_ms


def _results(logs: Any, query: str, start: int, end: int, group: str = "app") -> list[dict[str, str]]:
    query_id = logs.start_query(logGroupName=group, startTime=start, endTime=end, queryString=query)["queryId"]
    answer = logs.get_query_results(queryId=query_id)
    assert answer["status"] == "Complete"
    return [{cell["field"]: cell["value"] for cell in row if cell["field"] != "@ptr"} for row in answer["results"]]


def test_insights_commands(logs: Any, aws: Harness) -> None:
    logs.create_log_group(logGroupName="app")
    logs.create_log_stream(logGroupName="app", logStreamName="s")
    t = now_ms(aws)
    messages = ["ERROR disk full", json.dumps({"level": "info", "ms": 5}), json.dumps({"level": "error", "ms": 7}),
                "user=bob took 12ms", "user=ann took 3ms"]
    logs.put_log_events(logGroupName="app", logStreamName="s",
                        logEvents=[{"timestamp": t + i, "message": m} for i, m in enumerate(messages)])
    start, end = t // 1000 - 1, t // 1000 + 1
    assert _results(logs, "fields @message | filter @message like /ERROR/", start, end) == [
        {"@message": "ERROR disk full"}]
    counts = _results(logs, "filter ispresent(level) | stats count(*) as n by level | sort level", start, end)
    assert counts == [{"level": "error", "n": "1"}, {"level": "info", "n": "1"}]
    assert _results(logs, "stats avg(ms) as average, max(ms) as top", start, end) == [{"average": "6", "top": "7"}]
    parsed = _results(logs, 'parse @message "user=* took *ms" as user, took | filter ispresent(user) '
                            "| sort took desc | fields user, took", start, end)
    assert parsed == [{"user": "bob", "took": "12"}, {"user": "ann", "took": "3"}]
    newest = _results(logs, "fields @timestamp, @message | sort @timestamp desc | limit 1", start, end)
    assert newest[0]["@message"] == "user=ann took 3ms"
    assert _results(logs, 'filter level = "error" and ms >= 7 | fields level, ms', start, end) == [
        {"level": "error", "ms": "7"}]
    assert _results(logs, "fields @message", start - 100, start - 50) == []
    queries = logs.describe_queries(logGroupName="app")["queries"]
    assert len(queries) == 7 and all(q["status"] == "Complete" for q in queries)
    with pytest.raises(ClientError) as exc:
        logs.start_query(logGroupName="app", startTime=start, endTime=end, queryString="frobnicate x")
    assert code(exc) == "MalformedQueryException"
    with pytest.raises(ClientError) as exc:
        logs.start_query(logGroupName="none", startTime=start, endTime=end, queryString="fields @message")
    assert code(exc) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        logs.get_query_results(queryId="nope")
    assert code(exc) == "ResourceNotFoundException"
