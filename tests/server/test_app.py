"""The ASGI front door on its own: what reaches the pipeline, and what goes back on the wire.

A stand-in emulator echoes the request it was handed, so these tests pin the transport
(raw paths, headers, bodies, streaming, HEAD, failures, the request log) independently of
routing and protocols.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from hoarfrost.core.emulator import Settings
from hoarfrost.core.http import BodyStream, HttpRequest, HttpResponse
from hoarfrost.server.run import BackgroundServer


class EchoEmulator:
    """Answers every request with a JSON echo of what the app handed it."""

    def __init__(self) -> None:
        self.settings = Settings()
        self.router = SimpleNamespace(route=lambda request, hint: SimpleNamespace(service="echo", operation="Echo"),
                                      warm=lambda: None)

    def reset(self) -> None:
        pass

    def route(self, request: HttpRequest, hint: Any = None) -> Any:
        return self.router.route(request, hint)

    def may_block(self, route: Any) -> bool:
        return False

    def dispatch(self, request: HttpRequest, route: Any) -> HttpResponse:
        return self.handle(request)

    def handle(self, request: HttpRequest, hint: Any = None) -> HttpResponse:
        if request.path == "/stream":
            chunks = [b"first-", b"", b"second-", b"third"]
            return HttpResponse(200, {"Content-Type": "application/octet-stream"},
                                BodyStream(iter(chunks), sum(map(len, chunks))))
        if request.path == "/boom":
            raise RuntimeError("kaboom")
        if request.method == "HEAD":
            return HttpResponse(200, {"Content-Length": "1234", "ETag": '"abc"'}, b"")
        echo = {"method": request.method, "path": request.path, "query": request.query,
                "headers": request.headers, "body": request.body.decode("latin-1")}
        return HttpResponse(201, {"Content-Type": "application/json", "x-amz-meta-k": "v"}, json.dumps(echo).encode())


@pytest.fixture(scope="module")
def echo_server() -> Iterator[BackgroundServer]:
    with BackgroundServer(EchoEmulator(), log_requests=True) as server:  # type: ignore[arg-type]
        yield server


def call(server: BackgroundServer, method: str, target: str, body: Any = None,
         headers: dict[str, str] | None = None, **kwargs: Any) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, target, body=body, headers=headers or {}, **kwargs)
    response = connection.getresponse()
    response.read_body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def test_request_reaches_the_pipeline_as_sent(echo_server: BackgroundServer) -> None:
    response = call(echo_server, "PUT", "/bucket/a%2Fb/c%20d+e?x=1&prefix=%2F&empty=",
                    body=b"payload", headers={"X-Amz-Target": "Svc.Op", "X-Dup": "1"})

    assert response.status == 201
    echo = json.loads(response.read_body)  # type: ignore[attr-defined]
    assert echo["method"] == "PUT"
    assert echo["path"] == "/bucket/a%2Fb/c%20d+e"  # still percent-encoded: S3 keys depend on it
    assert echo["query"] == "x=1&prefix=%2F&empty="
    assert echo["headers"]["x-amz-target"] == "Svc.Op"  # names lower-cased
    assert echo["headers"]["content-length"] == "7"
    assert echo["body"] == "payload"
    assert response.getheader("x-amz-meta-k") == "v"
    assert response.getheader("content-length") == str(len(response.read_body))  # type: ignore[attr-defined]
    assert response.getheader("server") is None


def test_chunked_upload_is_reassembled(echo_server: BackgroundServer) -> None:
    response = call(echo_server, "PUT", "/chunked", body=iter([b"one-", b"two-", b"three"]), encode_chunked=True)

    echo = json.loads(response.read_body)  # type: ignore[attr-defined]
    assert echo["body"] == "one-two-three"
    assert echo["headers"]["transfer-encoding"] == "chunked"


def test_expect_100_continue_gets_continue_then_the_answer(echo_server: BackgroundServer) -> None:
    with socket.create_connection(("127.0.0.1", echo_server.port), timeout=10) as sock:
        sock.sendall(b"PUT /obj HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        interim = sock.recv(1024)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b"hello")
        data = b""
        while b"}" not in data:
            data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201")
    assert json.loads(body)["body"] == "hello"


def test_streamed_body_arrives_whole_with_its_length(echo_server: BackgroundServer) -> None:
    response = call(echo_server, "GET", "/stream")

    assert response.status == 200
    assert response.read_body == b"first-second-third"  # type: ignore[attr-defined]
    assert response.getheader("content-length") == "18"
    assert response.getheader("transfer-encoding") is None


def test_head_keeps_the_declared_length_without_a_body(echo_server: BackgroundServer) -> None:
    response = call(echo_server, "HEAD", "/bucket/key")

    assert response.status == 200
    assert response.getheader("content-length") == "1234"
    assert response.getheader("etag") == '"abc"'
    assert response.read_body == b""  # type: ignore[attr-defined]


def test_unexpected_exception_is_a_json_error_not_a_bare_500(echo_server: BackgroundServer) -> None:
    response = call(echo_server, "POST", "/boom", body=b"{}")

    assert response.status == 500
    assert response.getheader("content-type") == "application/json"
    error = json.loads(response.read_body)  # type: ignore[attr-defined]
    assert error["__type"] == "InternalFailure"
    assert "kaboom" in error["message"]
    # The server keeps serving.
    assert call(echo_server, "GET", "/after").status == 201


def test_request_log_has_one_line_per_request(echo_server: BackgroundServer,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hoarfrost.requests")

    call(echo_server, "GET", "/logged/path?q=1")
    call(echo_server, "GET", "/_hoarfrost/health")

    lines = [r.getMessage() for r in caplog.records if r.name == "hoarfrost.requests"]
    assert len(lines) == 2
    method, path, target, status, elapsed = lines[0].split(" ")
    assert (method, path, target, status) == ("GET", "/logged/path", "echo.Echo", "201")
    assert elapsed.endswith("ms") and float(elapsed[:-2]) >= 0
    assert lines[1].split(" ")[:3] == ["GET", "/_hoarfrost/health", "admin"]
