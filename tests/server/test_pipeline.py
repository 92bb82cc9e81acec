"""boto3 through both front doors: a real client against the fake ``sdb`` service, the
protocol's NotImplemented answer, and requests no service claims."""

from __future__ import annotations

import logging
import threading
import time

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from hoarfrost.server.run import BackgroundServer
from tests.harness import Harness, ServerHarness
from tests.server import fake_service

POLLS = 70  # more than a ThreadPoolExecutor's default worker count


def test_boto3_reaches_the_service_and_its_state(aws: Harness, sdb: str) -> None:
    client = aws.client("sdb")
    client.create_domain(DomainName="orders")
    client.create_domain(DomainName="users")

    assert client.list_domains()["DomainNames"] == ["orders", "users"]
    view = aws.emulator.service("sdb").snapshot(aws.account, aws.region)
    assert sorted(view.domains) == ["orders", "users"]

    client.delete_domain(DomainName="orders")
    with pytest.raises(ClientError) as raised:
        client.delete_domain(DomainName="orders")
    assert raised.value.response["Error"]["Code"] == "NoSuchDomain"
    assert client.list_domains()["DomainNames"] == ["users"]


def test_unimplemented_operation_is_the_protocols_not_implemented_error(aws: Harness, sdb: str) -> None:
    with pytest.raises(ClientError) as raised:
        aws.client("sdb").get_attributes(DomainName="orders", ItemName="1")

    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["Error"]["Code"] == "NotImplemented"
    assert "GetAttributes" in error["Error"]["Message"]


def test_unimplemented_service_is_not_implemented_too(aws: Harness) -> None:
    # cur has no resource family the generic engine serves, and no hand-written handlers
    with pytest.raises(ClientError) as raised:
        aws.client("cur").describe_report_definitions()

    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["Error"]["Code"] == "NotImplemented"
    assert "DescribeReportDefinitions" in error["Error"]["Message"]


def test_a_service_without_handlers_is_served_by_the_generic_engine(aws: Harness) -> None:
    codecommit = aws.client("codecommit")
    assert codecommit.list_repositories()["repositories"] == []
    codecommit.create_repository(repositoryName="app")
    assert [repo["repositoryName"] for repo in codecommit.list_repositories()["repositories"]] == ["app"]


def test_request_no_service_claims_gets_a_json_error(server: ServerHarness) -> None:
    response = requests.post(
        server.http_url("/"),
        headers={"X-Amz-Target": "NoSuchService_20990101.DoThing", "Content-Type": "application/x-amz-json-1.1",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/nosuchservice/aws4_request, "
                                  "SignedHeaders=host, Signature=0"},
        data=b"{}",
    )

    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/")
    error = response.json()
    assert error["__type"] == "UnknownService"
    assert "nosuchservice" in error["message"]


def test_request_log_names_service_and_operation(caplog: pytest.LogCaptureFixture, sdb: str) -> None:
    caplog.set_level(logging.INFO, logger="hoarfrost.requests")
    with BackgroundServer(log_requests=True) as server:
        harness = ServerHarness(server)
        harness.client("sdb").create_domain(DomainName="logged")
        with pytest.raises(ClientError):
            harness.client("sdb").get_attributes(DomainName="logged", ItemName="1")

    lines = [r.getMessage().split(" ") for r in caplog.records if r.name == "hoarfrost.requests"]
    assert [line[:4] for line in lines] == [
        ["POST", "/", "sdb.CreateDomain", "200"],
        ["POST", "/", "sdb.GetAttributes", "501"],
    ]


def test_long_polls_never_block_other_requests(server: ServerHarness, sdb: str) -> None:
    """More long polls in flight than a default thread pool has threads, and the server still
    answers, and a write wakes them all."""
    results: list[list[dict[str, object]]] = []
    pollers = [server.client("sdb", config=Config(read_timeout=120)) for _ in range(POLLS)]
    threads = [threading.Thread(target=lambda c=c: results.append(c.select(SelectExpression="wait")["Items"]))
               for c in pollers]
    for thread in threads:
        thread.start()
    client = server.client("sdb")
    pool = server.server.app.pool
    deadline = time.monotonic() + 60
    while pool.busy < POLLS and time.monotonic() < deadline:  # every poll parked on a worker
        time.sleep(0.01)
    assert pool.busy == POLLS

    client.create_domain(DomainName="other")  # answered while POLLS requests are parked
    assert client.list_domains()["DomainNames"] == ["other"]
    assert all(thread.is_alive() for thread in threads) and results == []

    client.create_domain(DomainName="wake")
    for thread in threads:
        thread.join(60)
    assert results == [[{"Name": "woken"}]] * POLLS


def test_stopping_the_server_does_not_wait_for_long_polls(sdb: str) -> None:
    server = BackgroundServer().start()
    client = ServerHarness(server).client("sdb", config=Config(read_timeout=120))
    outcome: list[object] = []

    def poll() -> None:
        try:
            outcome.append(client.select(SelectExpression="x"))
        except Exception as exc:
            outcome.append(exc)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    time.sleep(0.5)

    server.stop(timeout=fake_service.LONG_POLL_SECONDS / 2)

    assert not server.running  # uvicorn returned well before the poll's 30 s were up
    poller.join(fake_service.LONG_POLL_SECONDS / 2)
    assert len(outcome) == 1 and isinstance(outcome[0], Exception)  # the poll was cut off, not answered


def test_only_operations_that_may_wait_leave_the_event_loop() -> None:
    from hoarfrost import Emulator
    from hoarfrost.core.routing.route import Route

    emulator = Emulator()

    def route(service: str, operation: str) -> Route:
        return Route(service, operation, "json", "us-east-1", None)

    assert emulator.may_block(route("sqs", "ReceiveMessage"))
    assert not emulator.may_block(route("sqs", "SendMessage"))
    assert not emulator.may_block(route("sts", "GetCallerIdentity"))
    assert not emulator.may_block(route("dynamodb", "GetItem"))  # never waits: answered inline
