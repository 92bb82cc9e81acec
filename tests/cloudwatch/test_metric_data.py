"""GetMetricData: metric stats on period boundaries, metric math, labels, ScanBy, MaxDatapoints
pages and the errors of bad queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.cloudwatch.conftest import code, message, minute
from tests.harness import Harness


def _stat(query_id: str, name: str, stat: str = "Sum", period: int = 60, **extra: Any) -> dict[str, Any]:
    return {"Id": query_id, "MetricStat": {"Metric": {"Namespace": "Shop", "MetricName": name,
                                                      "Dimensions": [{"Name": "Store", "Value": "s1"}]},
                                           "Period": period, "Stat": stat}, **extra}


@pytest.fixture
def shop(cw: Any, aws: Harness) -> dt.datetime:
    """Orders 1, 2, 4 and Refunds 1, -, 1 in three consecutive minutes; answers the first minute."""
    start = minute(aws, 10)
    data = []
    for index, (orders, refunds) in enumerate(((1.0, 1.0), (2.0, None), (4.0, 1.0))):
        at = start + dt.timedelta(minutes=index, seconds=7)
        data.append({"MetricName": "Orders", "Dimensions": [{"Name": "Store", "Value": "s1"}], "Value": orders,
                     "Timestamp": at})
        if refunds is not None:
            data.append({"MetricName": "Refunds", "Dimensions": [{"Name": "Store", "Value": "s1"}], "Value": refunds,
                         "Timestamp": at})
    cw.put_metric_data(Namespace="Shop", MetricData=data)
    return start


def _get(cw: Any, start: dt.datetime, queries: list[dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    return cw.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=start + dt.timedelta(minutes=5),
                              **kwargs)


def _results(response: dict[str, Any]) -> dict[str, list[tuple[dt.datetime, float]]]:
    return {result["Id"]: list(zip(result["Timestamps"], result["Values"], strict=True))
            for result in response["MetricDataResults"]}


def test_metric_stats_and_arithmetic(cw: Any, shop: dt.datetime) -> None:
    minutes = [shop + dt.timedelta(minutes=index) for index in range(3)]
    response = _get(cw, shop, [_stat("orders", "Orders"), _stat("refunds", "Refunds", ReturnData=False),
                               {"Id": "net", "Expression": "orders - refunds", "Label": "Net"},
                               {"Id": "doubled", "Expression": "2 * (orders + 1)"}],
                    ScanBy="TimestampAscending")
    results = _results(response)
    assert set(results) == {"orders", "net", "doubled"}  # ReturnData false is left out
    assert results["orders"] == list(zip(minutes, [1.0, 2.0, 4.0], strict=True))
    # Arithmetic between two series keeps the timestamps both have.
    assert results["net"] == [(minutes[0], 0.0), (minutes[2], 3.0)]
    assert results["doubled"] == list(zip(minutes, [4.0, 6.0, 10.0], strict=True))
    labels = {result["Id"]: result["Label"] for result in response["MetricDataResults"]}
    assert labels == {"orders": "Orders", "net": "Net", "doubled": "doubled"}
    assert all(result["StatusCode"] == "Complete" for result in response["MetricDataResults"])


def test_functions_over_arrays_and_series(cw: Any, shop: dt.datetime) -> None:
    minutes = [shop + dt.timedelta(minutes=index) for index in range(3)]
    queries = [_stat("m1", "Orders", ReturnData=False), _stat("m2", "Refunds", ReturnData=False),
               {"Id": "total", "Expression": "SUM(METRICS())"},
               {"Id": "most", "Expression": "MAX([m1, m2])"},
               {"Id": "peak", "Expression": "MAX(m1)"},
               {"Id": "filled", "Expression": "FILL(m2, 0)"},
               {"Id": "repeated", "Expression": "FILL(m2, REPEAT)"},
               {"Id": "diff", "Expression": "DIFF(m1)"},
               {"Id": "rate", "Expression": "RATE(m1)"},
               {"Id": "avg", "Expression": "AVG(METRICS('m1'))"}]
    results = _results(_get(cw, shop, queries, ScanBy="TimestampAscending"))
    assert results["total"] == list(zip(minutes, [2.0, 2.0, 5.0], strict=True))
    assert results["most"] == list(zip(minutes, [1.0, 2.0, 4.0], strict=True))
    # MAX of one series is a scalar: the same value at every period of the range.
    assert {value for _, value in results["peak"]} == {4.0} and len(results["peak"]) == 5
    assert results["filled"][:3] == list(zip(minutes, [1.0, 0.0, 1.0], strict=True))
    assert results["repeated"][:3] == list(zip(minutes, [1.0, 1.0, 1.0], strict=True))
    assert results["diff"] == [(minutes[1], 1.0), (minutes[2], 2.0)]
    assert results["rate"] == [(minutes[1], pytest.approx(1 / 60)), (minutes[2], pytest.approx(2 / 60))]
    assert results["avg"] == list(zip(minutes, [1.0, 2.0, 4.0], strict=True))


def test_scan_by_pages_and_labels(cw: Any, shop: dt.datetime) -> None:
    minutes = [shop + dt.timedelta(minutes=index) for index in range(3)]
    queries = [_stat("orders", "Orders", Label="${PROP('Dim.Store')} max ${MAX}"), _stat("refunds", "Refunds")]
    descending = _results(_get(cw, shop, queries))
    assert [stamp for stamp, _ in descending["orders"]] == minutes[::-1]
    first = _get(cw, shop, queries, MaxDatapoints=2, ScanBy="TimestampAscending")
    assert first["MetricDataResults"][0]["Label"] == "s1 max 4"
    assert [len(result["Values"]) for result in first["MetricDataResults"]] == [2, 0]
    assert [result["StatusCode"] for result in first["MetricDataResults"]] == ["PartialData", "PartialData"]
    second = _get(cw, shop, queries, MaxDatapoints=2, ScanBy="TimestampAscending", NextToken=first["NextToken"])
    assert [result["Values"] for result in second["MetricDataResults"]] == [[4.0], [1.0]]
    third = _get(cw, shop, queries, MaxDatapoints=2, ScanBy="TimestampAscending", NextToken=second["NextToken"])
    assert [result["Values"] for result in third["MetricDataResults"]] == [[], [1.0]]
    assert "NextToken" not in third


@pytest.mark.parametrize(("queries", "fragment"), [
    ([{"Id": "e1", "Expression": "m9 * 2"}], "Unknown metric or expression: m9"),
    ([{"Id": "e1", "Expression": "(1 + "}], "Error in expression e1"),
    ([{"Id": "e1", "Expression": "NOPE(1)"}], "Unknown function: NOPE"),
    ([{"Id": "E1", "Expression": "1"}], "MetricDataQueries.member.1.Id"),
    ([{"Id": "e1", "Expression": "e2"}, {"Id": "e2", "Expression": "e1"}], "Circular"),
    ([{"Id": "e1"}], "MetricStat or Expression"),
    ([_stat("m1", "Orders", stat="p200")], "MetricStat.Stat"),
])
def test_bad_queries_are_refused(cw: Any, shop: dt.datetime, queries: list[dict[str, Any]], fragment: str) -> None:
    with pytest.raises(ClientError) as refused:
        _get(cw, shop, queries)
    assert code(refused) == "ValidationError"
    assert fragment in message(refused)
