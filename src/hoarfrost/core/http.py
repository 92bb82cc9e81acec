"""Transport-neutral HTTP request and response: what every front door hands the pipeline."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote


@dataclass(slots=True)
class HttpRequest:
    """One HTTP request as it came off the wire.

    ``path`` is the raw (still percent-encoded) path without the query string; ``query`` the
    raw query string without ``?``. Header names are lower-case so look-ups need no folding.
    """

    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    _query_params: dict[str, list[str]] | None = None
    scheme: str = "https"  # how the client reached us: the server may be plain http
    # The client's address where the transport knows it (aws:SourceIp): the server's peer, and
    # this machine for in-process requests; None when unknown.
    client: str | None = "127.0.0.1"

    @property
    def host(self) -> str:
        return self.headers.get("host", "")

    @property
    def query_params(self) -> dict[str, list[str]]:
        """Decoded query parameters, parsed once on first use."""
        params = self._query_params
        if params is None:
            params = {}
            if self.query:
                for key, value in parse_qsl(self.query, keep_blank_values=True):
                    params.setdefault(key, []).append(value)
            self._query_params = params
        return params

    def query_param(self, name: str) -> str | None:
        values = self.query_params.get(name)
        return values[0] if values else None

    @property
    def decoded_path(self) -> str:
        return unquote(self.path)


class BodyStream:
    """A response body produced in chunks (S3 object bodies), with a known length."""

    __slots__ = ("_chunks", "length")

    def __init__(self, chunks: Iterable[bytes], length: int) -> None:
        self._chunks = chunks
        self.length = length

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._chunks)

    def read_all(self) -> bytes:
        return b"".join(self._chunks)


@dataclass(slots=True)
class HttpResponse:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | BodyStream = b""

    def body_bytes(self) -> bytes:
        body = self.body
        return body if isinstance(body, bytes) else body.read_all()


# Content types of the RPC protocols (query, json, rpc-v2-cbor), whose bodies SDKs may gzip.
_RPC_CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/x-amz-json", "application/cbor")


def decompress_rpc_body(request: HttpRequest) -> None:
    """Undo the gzip SDKs apply to RPC request bodies (botocore's ``requestcompression``
    trait: CloudWatch PutMetricData over 10 KiB), in place, before routing reads the body
    (the query protocol finds its operation in it). Only POSTs of an RPC content type: an
    object stored with ``Content-Encoding: gzip`` (S3, REST) keeps its bytes."""
    encoding = request.headers.get("content-encoding", "")
    if "gzip" not in encoding or request.method != "POST" \
            or not request.headers.get("content-type", "").startswith(_RPC_CONTENT_TYPES):
        return
    import gzip
    import zlib

    try:
        request.body = gzip.decompress(request.body)
    except (OSError, EOFError, zlib.error):
        return  # not gzip after all: the parser answers the malformed body
    rest = [token.strip() for token in encoding.split(",") if token.strip() and token.strip() != "gzip"]
    if rest:
        request.headers["content-encoding"] = ", ".join(rest)
    else:
        request.headers.pop("content-encoding", None)
    request._query_params = None
