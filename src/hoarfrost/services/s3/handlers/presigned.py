"""Presigned URLs as S3 reads them: the expiry (SigV4 ``X-Amz-Date`` + ``X-Amz-Expires``, SigV2
``Expires``) checked against the emulator's clock, and the ``x-amz-meta-*`` headers a presigning
SDK hoists into the query string taken as the object's metadata.

hoarfrost does not verify signatures; expiry is the part of a presigned URL a test can observe.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from hoarfrost.protocols.wire import format_timestamp
from hoarfrost.services.s3.errors import errors

if TYPE_CHECKING:  # common imports this module for on_bucket
    from hoarfrost.services.s3.handlers.common import S3Context

_METADATA_OPERATIONS = frozenset({"PutObject", "CreateMultipartUpload", "CopyObject"})
_META_PREFIX = "x-amz-meta-"


def _expired(now: dt.datetime, expires: dt.datetime, seconds: int | None = None) -> Exception:
    error = errors.AccessDenied("Request has expired", Expires=format_timestamp(expires, "iso8601"),
                                ServerTime=format_timestamp(now, "iso8601"))
    if seconds is not None:
        error.fields["X-Amz-Expires"] = str(seconds)
    return error


def check_presigned(ctx: S3Context, request: dict[str, Any]) -> None:
    """Refuse an expired presigned request; take hoisted ``x-amz-meta-*`` query parameters as
    Metadata (headers of the same name win)."""
    query = ctx.request.query
    if not query or ("X-Amz-Expires=" not in query and "Expires=" not in query):
        return
    params = ctx.request.query_params
    now = ctx.clock.now()
    if "X-Amz-Expires" in params and "X-Amz-Date" in params:
        try:
            signed = dt.datetime.strptime(params["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            seconds = int(params["X-Amz-Expires"][0])
        except ValueError:
            raise errors.AuthorizationQueryParametersError(
                "X-Amz-Expires should be a number" if "X-Amz-Expires" in params else "Invalid date") from None
        if seconds > 604800:
            raise errors.AuthorizationQueryParametersError(
                "X-Amz-Expires must be less than a week (in seconds) that is 604800")
        if now > signed + dt.timedelta(seconds=seconds):
            raise _expired(now, signed + dt.timedelta(seconds=seconds), seconds)
    elif "Expires" in params and "AWSAccessKeyId" in params:
        try:
            expires = dt.datetime.fromtimestamp(int(params["Expires"][0]), dt.UTC)
        except ValueError:
            raise errors.AccessDenied("Invalid date (should be seconds since epoch): "
                                      f"{params['Expires'][0]}") from None
        if now > expires:
            raise _expired(now, expires)
    if ctx.operation in _METADATA_OPERATIONS:
        hoisted = {name[len(_META_PREFIX):]: values[-1] for name, values in params.items()
                   if name.lower().startswith(_META_PREFIX)}
        if hoisted:
            request["Metadata"] = {**hoisted, **(request.get("Metadata") or {})}
