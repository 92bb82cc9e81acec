"""Connections and API destinations: stored with their auth (secrets never answered), and an
invocation that makes a real HTTP call with the connection's auth headers."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.events.conftest import entry, error_code
from tests.harness import Harness


class _Recorder(BaseHTTPRequestHandler):
    received: list[tuple[str, str, dict[str, str], bytes]]

    def _record(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.received.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                              self.rfile.read(length)))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    do_POST = do_PUT = do_GET = _record

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[tuple[str, str, dict[str, str], bytes]]]]:
    received: list[tuple[str, str, dict[str, str], bytes]] = []
    handler = type("Recorder", (_Recorder,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def test_a_connection_keeps_its_secrets_to_itself(events: Any) -> None:
    out = events.create_connection(Name="basic", AuthorizationType="BASIC", AuthParameters={
        "BasicAuthParameters": {"Username": "u", "Password": "p"}})
    assert out["ConnectionState"] == "AUTHORIZED"
    described = events.describe_connection(Name="basic")
    assert described["AuthParameters"] == {"BasicAuthParameters": {"Username": "u"}}
    assert described["SecretArn"].startswith("arn:aws:secretsmanager:")
    with pytest.raises(ClientError) as caught:
        events.create_connection(Name="bad", AuthorizationType="API_KEY", AuthParameters={
            "BasicAuthParameters": {"Username": "u", "Password": "p"}})
    assert error_code(caught) == "ValidationException"
    events.update_connection(Name="basic", AuthParameters={"BasicAuthParameters": {"Username": "v"}})
    assert events.describe_connection(Name="basic")["AuthParameters"]["BasicAuthParameters"] == {"Username": "v"}
    assert events.deauthorize_connection(Name="basic")["ConnectionState"] == "DEAUTHORIZING"
    assert [c["ConnectionState"] for c in events.list_connections()["Connections"]] == ["DEAUTHORIZED"]
    events.delete_connection(Name="basic")
    with pytest.raises(ClientError) as caught:
        events.describe_connection(Name="basic")
    assert error_code(caught) == "ResourceNotFoundException"


def test_an_api_destination_is_called_with_the_connections_auth(
        aws: Harness, events: Any, endpoint: tuple[str, list[Any]]) -> None:
    url, received = endpoint
    connection = events.create_connection(Name="key", AuthorizationType="API_KEY", AuthParameters={
        "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"},
        "InvocationHttpParameters": {"HeaderParameters": [{"Key": "x-extra", "Value": "1"}]}})["ConnectionArn"]
    destination = events.create_api_destination(Name="hook", ConnectionArn=connection,
                                                InvocationEndpoint=f"{url}/orders/*", HttpMethod="POST")
    arn = destination["ApiDestinationArn"]
    assert events.describe_api_destination(Name="hook")["InvocationEndpoint"] == f"{url}/orders/*"
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "api", "Arn": arn, "RoleArn": "arn:aws:iam::123456789012:role/r",
                                           "HttpParameters": {"PathParameterValues": ["o-1"],
                                                              "QueryStringParameters": {"q": "v"}}}])
    event_id = events.put_events(Entries=[entry({"n": 1})])["Entries"][0]["EventId"]
    assert aws.emulator.service("events").wait_for_deliveries(10)
    assert len(received) == 1
    method, path, headers, body = received[0]
    assert (method, path) == ("POST", "/orders/o-1?q=v")
    assert headers["x-api-key"] == "secret" and headers["x-extra"] == "1"
    assert json.loads(body)["id"] == event_id


def test_basic_auth_header(aws: Harness, events: Any, endpoint: tuple[str, list[Any]]) -> None:
    url, received = endpoint
    connection = events.create_connection(Name="basic", AuthorizationType="BASIC", AuthParameters={
        "BasicAuthParameters": {"Username": "user", "Password": "pw"}})["ConnectionArn"]
    arn = events.create_api_destination(Name="hook", ConnectionArn=connection, InvocationEndpoint=url,
                                        HttpMethod="PUT")["ApiDestinationArn"]
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["my.app"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "api", "Arn": arn, "Input": '{"hello": 1}'}])
    events.put_events(Entries=[entry()])
    assert aws.emulator.service("events").wait_for_deliveries(10)
    method, _, headers, body = received[0]
    assert method == "PUT" and json.loads(body) == {"hello": 1}
    assert headers["authorization"] == "Basic " + base64.b64encode(b"user:pw").decode()


def test_api_destination_listing_and_errors(events: Any) -> None:
    with pytest.raises(ClientError) as caught:
        events.create_api_destination(Name="hook", ConnectionArn="arn:aws:events:us-east-1:123456789012:connection/x/y",
                                      InvocationEndpoint="https://example.com", HttpMethod="POST")
    assert error_code(caught) == "ResourceNotFoundException"
    connection = events.create_connection(Name="c", AuthorizationType="API_KEY", AuthParameters={
        "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}})["ConnectionArn"]
    events.create_api_destination(Name="hook", ConnectionArn=connection, InvocationEndpoint="https://example.com",
                                  HttpMethod="POST")
    events.update_api_destination(Name="hook", HttpMethod="PUT", InvocationRateLimitPerSecond=10)
    listed = events.list_api_destinations()["ApiDestinations"]
    assert [(d["Name"], d["HttpMethod"], d["InvocationRateLimitPerSecond"]) for d in listed] == [("hook", "PUT", 10)]
    events.delete_api_destination(Name="hook")
    assert events.list_api_destinations()["ApiDestinations"] == []


class _OAuth(BaseHTTPRequestHandler):
    received: list[tuple[str, str, dict[str, str], bytes]]

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        self.received.append(("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        answer = json.dumps({"access_token": "tok-1", "token_type": "Bearer"}).encode() if self.path == "/token" else b""
        self.send_response(200)
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


def test_an_oauth_connection_fetches_a_token_first(aws: Harness, events: Any) -> None:
    received: list[tuple[str, str, dict[str, str], bytes]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("OAuth", (_OAuth,), {"received": received}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        connection = events.create_connection(Name="o", AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters={
            "OAuthParameters": {"ClientParameters": {"ClientID": "id", "ClientSecret": "shh"},
                                "AuthorizationEndpoint": f"{url}/token", "HttpMethod": "POST",
                                "OAuthHttpParameters": {"BodyParameters": [{"Key": "scope", "Value": "s"}]}}})
        described = events.describe_connection(Name="o")["AuthParameters"]["OAuthParameters"]
        assert described["ClientParameters"] == {"ClientID": "id"}
        arn = events.create_api_destination(Name="hook", ConnectionArn=connection["ConnectionArn"],
                                            InvocationEndpoint=f"{url}/hook", HttpMethod="POST")["ApiDestinationArn"]
        events.put_rule(Name="r", EventPattern=json.dumps({"source": ["my.app"]}))
        events.put_targets(Rule="r", Targets=[{"Id": "api", "Arn": arn}])
        events.put_events(Entries=[entry()])
        assert aws.emulator.service("events").wait_for_deliveries(10)
    finally:
        server.shutdown()
        server.server_close()
    (_, token_path, token_headers, token_body), (_, hook_path, hook_headers, _) = received
    assert token_path == "/token" and b"grant_type=client_credentials" in token_body and b"scope=s" in token_body
    assert token_headers["authorization"] == "Basic " + base64.b64encode(b"id:shh").decode()
    assert hook_path == "/hook" and hook_headers["authorization"] == "Bearer tok-1"


def test_the_http_worker_stops_with_its_emulator(endpoint: tuple[str, list[Any]]) -> None:
    import boto3

    import hoarfrost

    url, received = endpoint
    with hoarfrost.mock_aws() as emulator:
        events = boto3.session.Session(aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x",
                                       region_name="us-east-1").client("events")
        connection = events.create_connection(Name="c", AuthorizationType="API_KEY", AuthParameters={
            "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}})["ConnectionArn"]
        arn = events.create_api_destination(Name="d", ConnectionArn=connection, InvocationEndpoint=url,
                                            HttpMethod="POST")["ApiDestinationArn"]
        events.put_rule(Name="r", EventPattern=json.dumps({"source": ["my.app"]}))
        events.put_targets(Rule="r", Targets=[{"Id": "api", "Arn": arn}])
        events.put_events(Entries=[entry()])
        assert emulator.service("events").wait_for_deliveries(10)
        worker = emulator.service("events").dispatcher.http._thread
        assert worker is not None and worker.is_alive()
    assert len(received) == 1
    assert not worker.is_alive()
