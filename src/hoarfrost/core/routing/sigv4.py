"""Who signed a request, for which region and service: read from the SigV4 credential scope.

The router only needs the scope (``AKID/20240101/us-east-1/sts/aws4_request``), never the
signature: hoarfrost does not verify signatures. The scope is found in the ``Authorization``
header (SigV4, SigV4a, legacy ``AWS AKID:sig``) or in a presigned URL's query string
(``X-Amz-Credential``, legacy ``AWSAccessKeyId``).
"""

from __future__ import annotations

from typing import NamedTuple
from hoarfrost.core.http import HttpRequest


class Credential(NamedTuple):
    access_key: str | None
    region: str | None  # None for SigV4a (its region set is a header) and SigV2
    signing_name: str | None  # the scope's service, None for SigV2


_NO_CREDENTIAL = Credential(None, None, None)


def parse_scope(scope: str) -> Credential:
    """``AKID/date/region/service/aws4_request`` (or SigV4a's ``AKID/date/service/aws4_request``)."""
    parts = scope.strip().split("/")
    if len(parts) == 5:
        return Credential(parts[0] or None, parts[2] or None, parts[3] or None)
    if len(parts) == 4:
        return Credential(parts[0] or None, None, parts[2] or None)
    return Credential(parts[0] or None, None, None)


def parse_authorization(value: str) -> Credential:
    """The credential named by an ``Authorization`` header value (no match: all None)."""
    start = value.find("Credential=")
    if start >= 0:
        start += 11
        end = value.find(",", start)
        return parse_scope(value[start:] if end < 0 else value[start:end])
    if value.startswith("AWS "):  # SigV2: "AWS AKID:signature"
        return Credential(value[4:].partition(":")[0].strip() or None, None, None)
    return _NO_CREDENTIAL


def request_credential(request: HttpRequest) -> Credential:
    """The credential of a request: header first, then a presigned query string."""
    authorization = request.headers.get("authorization")
    if authorization:
        return parse_authorization(authorization)
    query = request.query
    if query:
        if "X-Amz-Credential=" in query:
            scope = request.query_param("X-Amz-Credential")
            if scope:
                return parse_scope(scope)
        if "AWSAccessKeyId=" in query:
            return Credential(request.query_param("AWSAccessKeyId"), None, None)
    return _NO_CREDENTIAL
