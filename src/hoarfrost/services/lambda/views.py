"""LambdaStateView: one account/region of Lambda as plain, typed data.

A view holds every function with its ``$LATEST`` configuration, published versions, aliases,
resource-policy statements, reserved concurrency and tags, and every code package once per
SHA-256. A package's zip is not in the view: the package names its blob in the blob store, as
an S3 object version does, and ``snapshot_with_blobs`` / ``restore_with_blobs`` move the blobs
alongside; restoring a view with its blobs into a fresh emulator gives functions that invoke.
Views before schema 2 carried each zip inline (``zip_file``); they still restore and merge, the
zips written to the blob store then (``LambdaStateView.upgrade``, ``LambdaService.from_view``).

Merge (the rule every service follows): a function whose name exists takes the view's
configuration, tags and concurrency; its versions, aliases and statements merge by key; code
packages are added; nothing is removed.
"""

from __future__ import annotations

import base64
from typing import Any

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from hoarfrost.core.blobs import BlobStore
from hoarfrost.core.kit.records import RecordView, merge_keyed, record_view
from hoarfrost.core.views import StateView

from .runtime import record_filters
from .state import (
    Alias,
    CodePackage,
    CodeSigningConfig,
    EventInvokeConfig,
    EventSourceMapping,
    Function,
    FunctionConfig,
    FunctionUrlConfig,
    LambdaBackend,
    Layer,
    LayerVersion,
    ProvisionedConcurrency,
)


@record_view(CodePackage, key="sha256")
class CodePackageView(RecordView):
    """A deployment package: its SHA-256 (base64), the key of the blob holding the zip, its size.

    A view may instead carry the zip itself in ``zip_file`` (base64), as every view did before
    schema 2: restoring it writes the zip to the blob store (its SHA-256 checked) and names that
    blob. Snapshots never write ``zip_file``; they name blobs."""

    sha256: str = Field(description="The zip's SHA-256, base64, as Lambda prints it.")
    blob: str = Field("", description="The blob store key of the zip ('' when zip_file carries it).")
    size: int = Field(0, description="The zip's length in bytes.")
    zip_file: bytes | None = Field(None, description="The zip inline (views before schema 2); restore moves it "
                                                     "to the blob store.")

    @model_serializer(mode="wrap")
    def _blob_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A package that names its blob is written without ``zip_file``."""
        data: dict[str, Any] = handler(self)
        if data.get("zip_file") is None:
            data.pop("zip_file", None)
        return data


@record_view(FunctionConfig, key="version")
class FunctionConfigView(RecordView):
    """One version's configuration (``$LATEST`` or a published number)."""


@record_view(Alias, key="name")
class AliasView(RecordView):
    """An alias: the version it points at and the weights of additional versions."""


@record_view(EventInvokeConfig, key="qualifier")
class EventInvokeConfigView(RecordView):
    """Retries, maximum age and destinations of one qualifier's asynchronous invocations."""


@record_view(FunctionUrlConfig, key="qualifier")
class FunctionUrlConfigView(RecordView):
    """A function URL: its id (the URL's first label), auth type, CORS and invoke mode."""


@record_view(ProvisionedConcurrency, key="qualifier")
class ProvisionedConcurrencyView(RecordView):
    """Provisioned concurrency requested for a version or alias."""


@record_view(Function, key="name")
class FunctionView(RecordView):
    """A function: ``latest`` is ``$LATEST``; ``versions`` the published ones."""


@record_view(EventSourceMapping, key="uuid")
class EventSourceMappingView(RecordView):
    """An event source mapping: the queue, the function, batching and whether it is enabled."""


@record_view(LayerVersion, key="version")
class LayerVersionView(RecordView):
    """A published layer version: its code package and what it declares."""


@record_view(Layer, key="name")
class LayerView(RecordView):
    """A layer and its versions."""


@record_view(CodeSigningConfig, key="config_id")
class CodeSigningConfigView(RecordView):
    """A code signing config: allowed signing profiles and the policy for unsigned code."""


class LambdaStateView(StateView):
    """Lambda in one account/region: functions, their code packages, event source mappings."""

    SCHEMA_VERSION = 2
    schema_version: int = 2

    functions: list[FunctionView] = []
    code_packages: list[CodePackageView] = []
    event_source_mappings: list[EventSourceMappingView] = []
    layers: list[LayerView] = []
    code_signing_configs: list[CodeSigningConfigView] = []

    @classmethod
    def upgrade(cls, document: dict[str, Any], version: int) -> dict[str, Any]:
        """1 -> 2: a code package held its zip inline (``{"sha256", "zip_file"}``, the zip in
        base64); it now names a blob. The inline zip is kept for restore to move into the blob
        store (``LambdaService.from_view``), and the package gets its size and no blob yet.
        Version 1 documents written after the zips moved to blobs already name theirs and pass
        unchanged."""
        if version != 1:
            return super().upgrade(document, version)
        for package in document.get("code_packages") or []:
            if isinstance(package, dict) and "zip_file" in package and "blob" not in package:
                package["blob"] = ""
                package["size"] = len(_base64(package["zip_file"]))
        return document


def _base64(text: str) -> bytes:
    """Bytes a view wrote as base64 (pydantic writes the URL-safe alphabet; either is read)."""
    text = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def to_view(backend: LambdaBackend) -> LambdaStateView:
    return LambdaStateView(
        functions=[FunctionView.of(backend.functions[name]) for name in sorted(backend.functions)],
        code_packages=[CodePackageView.of(backend.packages[sha]) for sha in sorted(backend.packages)],
        event_source_mappings=[EventSourceMappingView.of(backend.mappings[uuid]) for uuid in sorted(backend.mappings)],
        layers=[LayerView.of(backend.layers[name]) for name in sorted(backend.layers)],
        code_signing_configs=[CodeSigningConfigView.of(c) for _, c in sorted(backend.code_signing_configs.items())],
    )


def from_view(view: LambdaStateView, account: str, region: str, store: BlobStore) -> LambdaBackend:
    """The backend a view describes; its packages still name the view's blob keys (the service
    adopts them into this scope's keys once the whole view is valid)."""
    backend = LambdaBackend(account, region, store)
    for item in view.code_packages:
        package: CodePackage = item.to_record()
        if package.sha256 in backend.packages:
            raise ValueError(f"code package {package.sha256} appears twice")
        backend.packages[package.sha256] = package
    for layer_view in view.layers:
        layer: Layer = layer_view.to_record()
        if layer.name in backend.layers:
            raise ValueError(f"layer {layer.name!r} appears twice")
        for version in layer.versions.values():
            if version.code_sha256 not in backend.packages:
                raise ValueError(f"layer {layer.name!r} version {version.version}: no code package")
        layer.next_version = max(layer.next_version, max(layer.versions, default=0) + 1)
        backend.layers[layer.name] = layer
    for signing_view in view.code_signing_configs:
        signing: CodeSigningConfig = signing_view.to_record()
        if signing.config_id in backend.code_signing_configs:
            raise ValueError(f"code signing config {signing.config_id} appears twice")
        backend.code_signing_configs[signing.config_id] = signing
    for function_view in view.functions:
        function: Function = function_view.to_record()
        if function.name in backend.functions:
            raise ValueError(f"function {function.name!r} appears twice")
        if function.latest.version != "$LATEST":
            raise ValueError(f"function {function.name!r}: latest must be version $LATEST")
        for config in (function.latest, *function.versions.values()):
            if config.code_sha256 not in backend.packages:
                raise ValueError(f"function {function.name!r} version {config.version}: no code package "
                                 f"{config.code_sha256}")
        for alias in function.aliases.values():
            if function.config(alias.function_version) is None:
                raise ValueError(f"alias {alias.name!r} points at missing version {alias.function_version}")
        numbers = [int(v) for v in function.versions if v.isdigit()]
        function.next_version = max(function.next_version, max(numbers, default=0) + 1)
        backend.functions[function.name] = function
    for mapping_view in view.event_source_mappings:
        mapping: EventSourceMapping = mapping_view.to_record()
        if mapping.uuid in backend.mappings:
            raise ValueError(f"event source mapping {mapping.uuid} appears twice")
        if mapping.function_name not in backend.functions:
            raise ValueError(f"event source mapping {mapping.uuid} names missing function {mapping.function_name!r}")
        try:
            record_filters.check(mapping.filters)
        except record_filters.FilterError as exc:
            raise ValueError(f"event source mapping {mapping.uuid}: invalid filter pattern: {exc}") from None
        backend.mappings[mapping.uuid] = mapping
    return backend


def merge(target: LambdaBackend, source: LambdaBackend) -> None:
    merge_keyed(target.packages, source.packages)
    merge_keyed(target.functions, source.functions, FunctionView.merge)
    merge_keyed(target.mappings, source.mappings)
    merge_keyed(target.layers, source.layers, LayerView.merge)
    merge_keyed(target.code_signing_configs, source.code_signing_configs)
    for layer in target.layers.values():
        layer.next_version = max(layer.next_version, max(layer.versions, default=0) + 1)
    for name in source.functions:
        function = target.functions[name]
        # Versions kept from the target still count: the next one published is above them all.
        numbers = [int(v) for v in function.versions if v.isdigit()]
        function.next_version = max(function.next_version, max(numbers, default=0) + 1)
