"""Queue URLs: the form a client is answered with, and every form accepted back.

SDKs and tools hand QueueUrl back verbatim, so the answer must look like what they expect:
AWS's ``https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`` for an in-process client, and the
server's own ``http://HOST:PORT/ACCOUNT/NAME`` when the request reached a local server (or
``settings.base_url`` names one). On input only the last two path segments matter, so AWS's
current and legacy (``queue.amazonaws.com``) host names, localhost forms and proxies all
resolve by account and name; a bare queue name names the caller's own queue.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from hoarfrost.core.operations import RequestContext
from hoarfrost.services.sqs.errors import queue_does_not_exist


def aws_queue_url(region: str, account: str, name: str) -> str:
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def queue_url(ctx: RequestContext[Any, Any], account: str, name: str) -> str:
    """The URL to answer this request's client with."""
    base = ctx.emulator.settings.base_url
    if base:
        return f"{base.rstrip('/')}/{account}/{name}"
    host = ctx.request.headers.get("host", "") if ctx.request is not None else ""
    if not host or host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn"):
        return aws_queue_url(ctx.region, account, name)
    scheme = ctx.request.headers.get("x-forwarded-proto", "http")
    return f"{scheme}://{host}/{account}/{name}"


@lru_cache(maxsize=4096)  # a client names the same few queues on every request
def parse_queue_url(url: str) -> tuple[str | None, str]:
    """(account, queue name) from any accepted URL form. A bare queue name (no scheme, no
    slash), which SQS accepts where a QueueUrl is expected, names the caller's own queue
    (account None). Anything else without an account and a name is a queue SQS cannot find:
    AWS answers a malformed QueueUrl with QueueDoesNotExist."""
    if "://" not in url and "/" not in url and url:
        return None, url
    path = urlsplit(url).path if "://" in url else url
    parts = [part for part in path.split("/") if part]
    if len(parts) < 2 or not parts[-2].isdigit():
        raise queue_does_not_exist()
    return parts[-2], parts[-1]
