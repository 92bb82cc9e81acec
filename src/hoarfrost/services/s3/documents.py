"""How the member-named documents S3's records keep appear, typed, in its state view.

A record keeps what the request path wants: a bucket configuration exactly as its Put
operation took it (``{"Rules": [...]}``), an object's content and encryption headers as the
output members they are answered with (``**version.headers``). The view wants real types,
snake_case and a JSON Schema that says more than ``object``. A record field declares its view
form with one of these as its metadata, so the conversion lives with the declaration:

* ``document(shape)``: a document in the shape of botocore's ``shape``, typed by a generated
  model (``shape_views``); a timestamp in it is a ``datetime`` again after a JSON round trip;
* ``documents_by_id(shape)``: S3's id-keyed configurations (inventory, analytics...), a dict by
  ``Id`` in the record, a list of typed documents (each with its ``id``) in the view;
* ``CONTENT`` / ``ENCRYPTION``: the header groups, as small hand-written models.

The models are generated when this module is imported (S3's model is loaded by then anyway,
for its error classes); nothing here runs on the request path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hoarfrost.core.kit.records import Converter, view_as
from hoarfrost.core.kit.shape_views import ShapeView, document_converter, shape_view
from hoarfrost.core.views import ViewModel

# Field metadata key naming the botocore shape a document field holds (the v1 -> v2 view
# upgrade reads it; the record machinery ignores it).
SHAPE = "s3_shape"


def _typed_by_id(model: type[ShapeView]) -> Converter:
    def to_view(configs: Mapping[str, Mapping[str, Any]]) -> list[ShapeView]:
        views = []
        for config_id, config in sorted(configs.items()):
            if config.get("Id") != config_id:
                raise ValueError(f"{model.shape_name} filed under {config_id!r} has Id {config.get('Id')!r}")
            views.append(model.from_wire(config))
        return views

    def to_record(views: list[ShapeView]) -> dict[str, dict[str, Any]]:
        configs: dict[str, dict[str, Any]] = {}
        for view in views:
            config = view.to_wire()
            config_id = config.get("Id")
            if not config_id or config_id in configs:
                raise ValueError(f"every {model.shape_name} needs an id of its own, not {config_id!r}")
            configs[config_id] = config
        return configs

    return Converter(list.__class_getitem__(model), to_view, to_record)


def document(shape: str) -> dict[str, Any]:
    """Field metadata: the field holds a document of S3's ``shape`` (its members), or None."""
    return {**view_as(document_converter(shape_view("s3", shape))), SHAPE: shape}


def documents_by_id(shape: str) -> dict[str, Any]:
    """Field metadata: the field holds ``{Id: document of shape}``, a list of them in the view."""
    return {**view_as(_typed_by_id(shape_view("s3", shape))), SHAPE: shape}


# -- header groups ---------------------------------------------------------------------------------
class ContentHeadersView(ViewModel):
    """The Content-* headers an object (or a pending upload) was stored with."""

    content_type: str | None = None
    content_encoding: str | None = None
    content_disposition: str | None = None
    content_language: str | None = None
    cache_control: str | None = None
    expires: dt.datetime | None = None
    website_redirect_location: str | None = None


class EncryptionView(ViewModel):
    """How an object is encrypted; for SSE-C only the key's MD5 is kept, as S3 does."""

    server_side_encryption: str | None = None
    sse_kms_key_id: str | None = None
    bucket_key_enabled: bool | None = None
    sse_customer_algorithm: str | None = None
    sse_customer_key_md5: str | None = None


def _members(model: type[ViewModel], members: Mapping[str, str]) -> Converter:
    """A dict of output members (only those set) as ``model``, whose fields map to ``members``."""

    def to_view(headers: Mapping[str, Any]) -> ViewModel:
        return model(**{name: headers[member] for name, member in members.items() if member in headers})

    def to_record(view: ViewModel) -> dict[str, Any]:
        values = ((member, getattr(view, name)) for name, member in members.items())
        return {member: value for member, value in values if value is not None}

    return Converter(model, to_view, to_record)


CONTENT = _members(ContentHeadersView, {
    "content_type": "ContentType",
    "content_encoding": "ContentEncoding",
    "content_disposition": "ContentDisposition",
    "content_language": "ContentLanguage",
    "cache_control": "CacheControl",
    "expires": "Expires",
    "website_redirect_location": "WebsiteRedirectLocation",
})
ENCRYPTION = _members(EncryptionView, {
    "server_side_encryption": "ServerSideEncryption",
    "sse_kms_key_id": "SSEKMSKeyId",
    "bucket_key_enabled": "BucketKeyEnabled",
    "sse_customer_algorithm": "SSECustomerAlgorithm",
    "sse_customer_key_md5": "SSECustomerKeyMD5",
})
