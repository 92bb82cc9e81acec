"""Lambda's records: functions with their ``$LATEST`` configuration, published versions,
aliases, resource-policy statements, reserved concurrency and tags; code packages (zips) kept
once per SHA-256 however many versions share them.

A ``FunctionConfig`` is one version's whole configuration: ``$LATEST`` is mutable, a published
version is a frozen copy of ``$LATEST`` at PublishVersion time.
"""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import build_arn

if TYPE_CHECKING:
    from hoarfrost.core.blobs import BlobStore

LATEST = "$LATEST"


@dataclass(slots=True)
class CodePackage:
    """A deployment package, addressed by its SHA-256 (base64, as Lambda prints it): the zip is
    the blob ``blob`` names in the emulator's blob store (as an S3 object's body is), ``size``
    bytes long."""

    sha256: str
    blob: str
    size: int


@dataclass(slots=True)
class FunctionConfig:
    version: str
    runtime: str | None
    role: str
    handler: str | None
    code_sha256: str
    code_size: int
    last_modified: str
    revision_id: str
    description: str = ""
    timeout: int = 3
    memory_size: int = 128
    environment: dict[str, str] = field(default_factory=dict)
    state: str = "Pending"
    last_update_status: str = "Successful"
    package_type: str = "Zip"
    architectures: list[str] = field(default_factory=lambda: ["x86_64"])
    ephemeral_storage: int = 512
    dead_letter_target: str | None = None
    tracing_mode: str = "PassThrough"
    kms_key_arn: str | None = None
    layers: list[str] = field(default_factory=list)
    log_group: str | None = None
    log_format: str = "Text"

    def copy(self, **changes: Any) -> FunctionConfig:
        return dataclasses.replace(self, environment=dict(self.environment), architectures=list(self.architectures),
                                   layers=list(self.layers), **changes)


@dataclass(slots=True)
class Alias:
    name: str
    function_version: str
    revision_id: str
    description: str = ""
    # Version -> weight (0..1) of the invocations routed to it instead of ``function_version``.
    routing: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class EventInvokeConfig:
    """How asynchronous invocations of one qualifier are retried and where their outcomes go."""

    qualifier: str
    last_modified: float
    maximum_retry_attempts: int | None = None
    maximum_event_age: int | None = None
    on_success: str | None = None
    on_failure: str | None = None


@dataclass(slots=True)
class FunctionUrlConfig:
    """A function URL of the unqualified function (``$LATEST``) or of an alias."""

    qualifier: str
    url_id: str
    auth_type: str
    created: str
    last_modified: str
    invoke_mode: str = "BUFFERED"
    cors: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ProvisionedConcurrency:
    """Provisioned concurrency of a version or alias (stored; every worker here starts on demand)."""

    qualifier: str
    requested: int
    last_modified: str
    status: str = "IN_PROGRESS"


@dataclass(slots=True)
class Function:
    name: str
    latest: FunctionConfig
    versions: dict[str, FunctionConfig] = field(default_factory=dict)
    aliases: dict[str, Alias] = field(default_factory=dict)
    next_version: int = 1
    # $LATEST's revision when the newest version was published (an unchanged $LATEST publishes nothing new).
    published_revision: str = ""
    # Resource-policy statements by Sid, in AddPermission order.
    statements: dict[str, dict[str, Any]] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    event_invoke_configs: dict[str, EventInvokeConfig] = field(default_factory=dict)
    url_configs: dict[str, FunctionUrlConfig] = field(default_factory=dict)
    provisioned: dict[str, ProvisionedConcurrency] = field(default_factory=dict)
    code_signing_config_id: str | None = None

    def config(self, version: str) -> FunctionConfig | None:
        return self.latest if version == LATEST else self.versions.get(version)

    def policy_document(self) -> dict[str, Any]:
        """The function's resource policy: every AddPermission statement (each names the
        qualified or unqualified ARN it grants on)."""
        return {"Version": "2012-10-17", "Id": "default", "Statement": list(self.statements.values())}


@dataclass(slots=True)
class LayerVersion:
    """One published version of a layer: its zip (a code package) and what it declares."""

    version: int
    code_sha256: str
    code_size: int
    created: str
    description: str = ""
    compatible_runtimes: list[str] = field(default_factory=list)
    compatible_architectures: list[str] = field(default_factory=list)
    license_info: str | None = None
    statements: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class Layer:
    name: str
    versions: dict[int, LayerVersion] = field(default_factory=dict)
    next_version: int = 1


@dataclass(slots=True)
class CodeSigningConfig:
    """Which signing profiles may sign a function's code, and what happens to unsigned code."""

    config_id: str
    last_modified: str
    description: str = ""
    signing_profile_version_arns: list[str] = field(default_factory=list)
    untrusted_artifact_on_deployment: str = "Warn"


@dataclass(slots=True)
class EventSourceMapping:
    """A source Lambda reads for a function: an SQS queue, or a stream, then with a starting
    position, retry, record-age and bisect settings and an on-failure destination. A DynamoDB
    stream's ``position`` is the sequence number of the last record handled (None for none
    yet); a Kinesis stream's ``shard_positions`` are the last sequence number handled per
    shard, ``SHARD_END`` once a closed shard is read to its end."""

    uuid: str
    event_source_arn: str
    function_name: str
    qualifier: str | None
    batch_size: int
    last_modified: float
    batching_window: int = 0
    enabled: bool = True
    state: str = "Creating"
    response_types: list[str] = field(default_factory=list)
    last_processing_result: str = "No records processed"
    tags: dict[str, str] = field(default_factory=dict)
    starting_position: str | None = None
    starting_position_timestamp: float | None = None
    maximum_retry_attempts: int | None = None
    maximum_record_age: int | None = None
    bisect: bool = False
    on_failure: str | None = None
    position: str | None = None
    shard_positions: dict[str, str] = field(default_factory=dict)
    # FilterCriteria's patterns (event patterns, as JSON text): a record must match one.
    filters: list[str] = field(default_factory=list)

    @property
    def is_stream(self) -> bool:
        return self.starting_position is not None

    def settle(self) -> None:
        """Creating / Updating / Enabling / Disabling end at the next request, as functions' states do."""
        if self.state in ("Creating", "Updating", "Enabling", "Disabling"):
            self.state = "Enabled" if self.enabled else "Disabled"


class LambdaBackend:
    """One account/region of Lambda."""

    def __init__(self, account: str, region: str, store: BlobStore) -> None:
        self.account = account
        self.region = region
        self.store = store  # where the code packages' zips live
        self.functions: dict[str, Function] = {}
        self.packages: dict[str, CodePackage] = {}
        self.mappings: dict[str, EventSourceMapping] = {}
        self.layers: dict[str, Layer] = {}
        self.code_signing_configs: dict[str, CodeSigningConfig] = {}

    def function_arn(self, name: str, qualifier: str | None = None) -> str:
        resource = f"function:{name}" + (f":{qualifier}" if qualifier else "")
        return build_arn("lambda", self.region, self.account, resource)

    def blob_key(self, sha256: str) -> str:
        """Where this scope keeps the zip of a package: one blob per content, per scope."""
        return f"lambda/{self.account}/{self.region}/{base64.b64decode(sha256).hex()}"

    def add_package(self, sha256: str, data: bytes) -> CodePackage:
        """The package of ``data``, its zip written to the blob store unless already there."""
        package = self.packages.get(sha256)
        if package is None:
            key = self.blob_key(sha256)
            self.store.put(key, data)
            package = self.packages[sha256] = CodePackage(sha256, key, len(data))
        return package

    def code(self, config: FunctionConfig) -> bytes:
        return self.package_zip(config.code_sha256)

    def package_zip(self, sha256: str) -> bytes:
        return self.store.read(self.packages[sha256].blob)

    def layer_arn(self, name: str, version: int | None = None) -> str:
        return build_arn("lambda", self.region, self.account,
                         f"layer:{name}" + (f":{version}" if version is not None else ""))

    def layer_version(self, arn: str) -> LayerVersion | None:
        """The layer version an ARN of this account and region names, if it exists."""
        prefix = build_arn("lambda", self.region, self.account, "layer:")
        if not arn.startswith(prefix):
            return None
        name, _, number = arn[len(prefix):].rpartition(":")
        layer = self.layers.get(name)
        return layer.versions.get(int(number)) if layer is not None and number.isdigit() else None

    def prune_packages(self) -> None:
        """Forget packages no version or layer uses any more (after an update or a delete)."""
        used = {config.code_sha256 for fn in self.functions.values()
                for config in (fn.latest, *fn.versions.values())}
        used |= {version.code_sha256 for layer in self.layers.values() for version in layer.versions.values()}
        for sha in [sha for sha in self.packages if sha not in used]:
            self.store.delete(self.packages.pop(sha).blob)
