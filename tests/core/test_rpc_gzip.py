"""core.http.decompress_rpc_body: RPC bodies botocore gzipped are read as sent; anything else
(an S3 object stored with Content-Encoding: gzip) keeps its bytes."""

from __future__ import annotations

import gzip

from hoarfrost.core.http import HttpRequest, decompress_rpc_body


def test_gzipped_query_body_is_decompressed() -> None:
    body = b"Action=ListMetrics&Version=2010-08-01"
    request = HttpRequest("POST", "/", "", {"content-type": "application/x-www-form-urlencoded; charset=utf-8",
                                            "content-encoding": "gzip"}, gzip.compress(body))
    decompress_rpc_body(request)
    assert request.body == body and "content-encoding" not in request.headers


def test_other_requests_keep_their_bytes() -> None:
    packed = gzip.compress(b"object bytes")
    put = HttpRequest("PUT", "/bucket/key", "", {"content-type": "text/plain", "content-encoding": "gzip"}, packed)
    decompress_rpc_body(put)
    assert put.body == packed and put.headers["content-encoding"] == "gzip"
    not_gzip = HttpRequest("POST", "/", "", {"content-type": "application/x-amz-json-1.0",
                                             "content-encoding": "gzip"}, b"{}")
    decompress_rpc_body(not_gzip)
    assert not_gzip.body == b"{}"
