"""Views over HTTP carry their blobs, so what ``GET`` answers restores anywhere.

Two encodings of one view and the blobs it names (S3 object bodies):

* JSON (the default): the view's own JSON with one more top-level member, ``"blobs"``,
  mapping each blob key to its base64 bytes (absent when the view names none);
* a tar archive (``Accept`` / ``Content-Type: application/x-tar``): ``view.json`` and one
  ``blobs/<key>`` member per blob, for large payloads and for tools that unpack files.

In-process, ``snapshot()`` keeps answering blob references; only the admin API inlines them.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import tarfile
from typing import Any

from hoarfrost.core.blobs import MemoryBlobArchive
from hoarfrost.core.http import HttpRequest, HttpResponse
from hoarfrost.core.views import StateViewError

TAR = "application/x-tar"
_VIEW_MEMBER = "view.json"
_BLOBS = "blobs/"


def wants_tar(request: HttpRequest) -> bool:
    return TAR in request.headers.get("accept", "")


def encode(view_json: str, archive: MemoryBlobArchive, tar: bool) -> HttpResponse:
    """The response for a snapshot: JSON with inline blobs, or a tar archive."""
    if tar:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as bundle:
            _add(bundle, _VIEW_MEMBER, view_json.encode())
            for key, data in sorted(archive.blobs.items()):
                _add(bundle, _BLOBS + key, data)
        return HttpResponse(200, {"content-type": TAR}, buffer.getvalue())
    if not archive.blobs:
        return HttpResponse(200, {"content-type": "application/json"}, view_json.encode())
    document = json.loads(view_json)
    document["blobs"] = inline(archive)
    return HttpResponse(200, {"content-type": "application/json"}, json.dumps(document).encode())


def decode(request: HttpRequest) -> tuple[Any, MemoryBlobArchive | None]:
    """(view, blob source) from a PUT or PATCH body in either encoding; the source is None
    when the body carries no blobs (the view must then name only blobs the server holds)."""
    if request.headers.get("content-type", "").startswith(TAR):
        return _from_tar(request.body)
    try:
        document = json.loads(request.body or b"null")
    except ValueError as exc:
        raise StateViewError("invalid", f"the body is not JSON: {exc}") from exc
    if not isinstance(document, dict) or "blobs" not in document:
        return request.body, None
    return document, blob_archive(document.pop("blobs"))


def inline(archive: MemoryBlobArchive) -> dict[str, str]:
    """The ``"blobs"`` member: each key's bytes in base64."""
    return {key: base64.b64encode(data).decode("ascii") for key, data in sorted(archive.blobs.items())}


def blob_archive(blobs: Any) -> MemoryBlobArchive | None:
    """A ``"blobs"`` member read back (None when there is none)."""
    if blobs is None:
        return None
    if not isinstance(blobs, dict):
        raise StateViewError("invalid", '"blobs" must map blob keys to base64 strings')
    try:
        return MemoryBlobArchive({str(key): base64.b64decode(value, validate=True) for key, value in blobs.items()})
    except (binascii.Error, TypeError, ValueError) as exc:
        raise StateViewError("invalid", f'"blobs" holds a value that is not base64: {exc}') from exc


def _from_tar(body: bytes) -> tuple[Any, MemoryBlobArchive | None]:
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as bundle:
            view: bytes | None = None
            blobs: dict[str, bytes] = {}
            for member in bundle.getmembers():
                if not member.isfile():
                    continue
                handle = bundle.extractfile(member)
                data = handle.read() if handle is not None else b""
                if member.name == _VIEW_MEMBER:
                    view = data
                elif member.name.startswith(_BLOBS):
                    blobs[member.name[len(_BLOBS):]] = data
    except (tarfile.TarError, EOFError) as exc:
        raise StateViewError("invalid", f"the body is not a tar archive: {exc}") from exc
    if view is None:
        raise StateViewError("invalid", f"the archive has no {_VIEW_MEMBER}")
    return view, MemoryBlobArchive(blobs) if blobs else None


def _add(bundle: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    bundle.addfile(info, io.BytesIO(data))
