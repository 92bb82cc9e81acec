"""Path-style and virtual-hosted-style addressing reach the same bucket through the server."""

from __future__ import annotations

import http.client

import pytest

from tests.harness import ServerHarness


def _request(server: ServerHarness, method: str, host: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    port = int(server.endpoint_url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("host_form", ["{bucket}.localhost:{port}", "{bucket}.s3.localhost.localstack.cloud:{port}",
                                       "{bucket}.s3.us-east-1.amazonaws.com"])
def test_virtual_hosted_and_path_style_address_the_same_bucket(server: ServerHarness, host_form: str) -> None:
    s3 = server.client("s3")  # path style: the endpoint is an IP address
    s3.create_bucket(Bucket="vhost-bucket")
    port = server.endpoint_url.rsplit(":", 1)[1]
    host = host_form.format(bucket="vhost-bucket", port=port)

    status, _ = _request(server, "PUT", host, "/dir/key.txt", b"virtual body")
    assert status == 200
    assert s3.get_object(Bucket="vhost-bucket", Key="dir/key.txt")["Body"].read() == b"virtual body"

    s3.put_object(Bucket="vhost-bucket", Key="path.txt", Body=b"path body")
    assert _request(server, "GET", host, "/path.txt") == (200, b"path body")
    status, listing = _request(server, "GET", host, "/?list-type=2")
    assert status == 200 and b"<Key>dir/key.txt</Key>" in listing and b"<Key>path.txt</Key>" in listing
    status, error = _request(server, "GET", host, "/missing.txt")
    assert status == 404 and b"<Code>NoSuchKey</Code>" in error
