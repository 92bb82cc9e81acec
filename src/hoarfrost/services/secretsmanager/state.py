"""Secrets Manager's internal state for one account/region: secrets, their versions and
staging labels, deletion schedules, rotation configuration, policies and replicas.

Plain dataclasses shaped for the handlers and also the declaration of the state view
(``views.py`` derives each view from its record). Times are epoch seconds from the emulator's
clock. A secret's ARN is not stored: it follows from the scope and the random six-character
suffix AWS appends to the name, so a view restored into another account keeps its suffix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.core.kit.records import EPOCH, OPTIONAL_EPOCH, VIEW_EXCLUDE, view_as

CURRENT, PREVIOUS, PENDING = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"
# AWS keeps at most this many versions of a secret; beyond it the oldest unlabelled go.
MAX_VERSIONS = 100
# Days a deleted secret can be restored within, when DeleteSecret names none.
DEFAULT_RECOVERY_DAYS = 30
DAY = 86_400.0
# The random suffix AWS appends to a secret's name in its ARN.
SUFFIX_LENGTH = 6


def secret_arn(region: str, account: str, name: str, suffix: str) -> str:
    return build_arn("secretsmanager", region, account, f"secret:{name}-{suffix}")


@dataclass
class SecretVersion:
    """One version: its value (string or binary, or neither for a secret created empty is
    never a version) and the staging labels attached to it."""

    version_id: str
    created: float = field(metadata=view_as(EPOCH, "created_date"))
    secret_string: str | None = None
    secret_binary: bytes | None = None
    stages: list[str] = field(default_factory=list)
    last_accessed: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH, "last_accessed_date"))
    kms_key_ids: list[str] = field(default_factory=list)
    # The value as Secrets Manager keeps it (envelope encryption, see handlers/encryption.py):
    # AES-GCM under a data key, the data key's KMS ciphertext, the ARN of the KMS key that made
    # it, the secret ARN of the encryption context, and whether the value was SecretBinary.
    # ``secret_string`` / ``secret_binary`` stay None then; they hold a value only when a view
    # gave it in plain text.
    sealed: bytes | None = None
    data_key: bytes | None = None
    key_arn: str | None = None
    encryption_arn: str | None = None
    sealed_binary: bool = False
    # (data_key, its plaintext, the ARN of the key that opened it) from the last time KMS gave
    # it: memory only, never in a view.
    opened: tuple[bytes, bytes, str] | None = field(default=None, metadata=VIEW_EXCLUDE, repr=False, compare=False)

    @property
    def is_sealed(self) -> bool:
        return self.sealed is not None


@dataclass
class ReplicaStatus:
    """One region a primary secret replicates to, as ReplicationStatus shows it."""

    region: str
    kms_key_id: str | None = None
    status: str = "InSync"
    status_message: str = "Replication succeeded"
    last_accessed: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH, "last_accessed_date"))


@dataclass
class RotationRules:
    """RotateSecret's RotationRules, as given."""

    automatically_after_days: int | None = None
    duration: str | None = None
    schedule_expression: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {}
        if self.automatically_after_days is not None:
            wire["AutomaticallyAfterDays"] = self.automatically_after_days
        if self.duration is not None:
            wire["Duration"] = self.duration
        if self.schedule_expression is not None:
            wire["ScheduleExpression"] = self.schedule_expression
        return wire


@dataclass(kw_only=True)
class Secret:
    name: str
    suffix: str
    created: float = field(metadata=view_as(EPOCH, "created_date"))
    last_changed: float = field(metadata=view_as(EPOCH, "last_changed_date"))
    description: str | None = None
    kms_key_id: str | None = None
    type: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    versions: dict[str, SecretVersion] = field(default_factory=dict)
    # When DeleteSecret scheduled its deletion (DeletedDate) and when it will be gone.
    deleted: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH, "deleted_date"))
    deletion_due: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH, "deletion_date"))
    last_accessed: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH, "last_accessed_date"))
    rotation_enabled: bool = False
    rotation_lambda_arn: str | None = None
    rotation_rules: RotationRules | None = None
    last_rotated: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH, "last_rotated_date"))
    next_rotation: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH, "next_rotation_date"))
    # Why the last rotation failed (the step and the function's error), None after a success.
    # AWS shows it only in CloudTrail (RotationFailed); DescribeSecret has no member for it.
    rotation_failure: str | None = None
    resource_policy: str | None = None
    owning_service: str | None = None
    # A primary's replicas; a replica names its primary's region instead.
    replicas: list[ReplicaStatus] = field(default_factory=list)
    primary_region: str | None = None
    # Where the secret lives, set by the scope it is created or restored in.
    arn: str = field(default="", metadata=VIEW_EXCLUDE)

    @property
    def is_replica(self) -> bool:
        return self.primary_region is not None

    def version_with(self, stage: str) -> SecretVersion | None:
        for version in self.versions.values():
            if stage in version.stages:
                return version
        return None

    def stages_by_version(self) -> dict[str, list[str]]:
        """VersionIdsToStages: every version that still carries a label."""
        return {vid: list(v.stages) for vid, v in self.versions.items() if v.stages}

    def move_stage(self, stage: str, to: SecretVersion | None) -> SecretVersion | None:
        """Take ``stage`` off whichever version has it and attach it to ``to``; the version it
        came from. Moving AWSCURRENT hands AWSPREVIOUS to the version that had it."""
        old = self.version_with(stage)
        if old is to:
            return old
        if old is not None:
            old.stages.remove(stage)
        if to is not None:
            to.stages.append(stage)
        if stage == CURRENT and old is not None and to is not None:
            self.move_stage(PREVIOUS, old)
        return old

    def prune(self) -> None:
        """At most MAX_VERSIONS versions: the oldest without a label go first."""
        excess = len(self.versions) - MAX_VERSIONS
        if excess <= 0:
            return
        unlabelled = sorted((v for v in self.versions.values() if not v.stages), key=lambda v: v.created)
        for version in unlabelled[:excess]:
            del self.versions[version.version_id]


@dataclass
class SecretsBackend:
    account: str
    region: str
    secrets: dict[str, Secret] = field(default_factory=dict)  # by name, in creation order
    # Secrets scheduled for deletion: name -> when they go (purged lazily by the clock).
    pending: dict[str, float] = field(default_factory=dict)

    def arn_of(self, secret: Secret) -> str:
        return secret_arn(self.region, self.account, secret.name, secret.suffix)

    def named(self, secret_id: str) -> Secret | None:
        """The secret ``secret_id`` names: its name, its ARN, or its ARN without the random
        suffix (a partial ARN); None when there is none here. A dictionary read, so IAM
        enforcement may ask it without the lock."""
        secret = self.secrets.get(secret_id)
        if secret is not None:
            return secret
        arn = try_parse_arn(secret_id) if secret_id.startswith("arn:") else None
        if arn is None or arn.service != "secretsmanager" or not arn.resource.startswith("secret:"):
            return None
        if arn.account != self.account or arn.region != self.region:
            return None
        rest = arn.resource[len("secret:"):]
        name, dash, suffix = rest[:-SUFFIX_LENGTH - 1], rest[-SUFFIX_LENGTH - 1:-SUFFIX_LENGTH], rest[-SUFFIX_LENGTH:]
        secret = self.secrets.get(name) if dash == "-" else None
        if secret is not None and secret.suffix == suffix:
            return secret
        return self.secrets.get(rest)

    def add(self, secret: Secret) -> None:
        secret.arn = self.arn_of(secret)
        self.secrets[secret.name] = secret
        if secret.deletion_due is not None:
            self.pending[secret.name] = secret.deletion_due
        else:
            self.pending.pop(secret.name, None)

    def remove(self, name: str) -> None:
        self.secrets.pop(name, None)
        self.pending.pop(name, None)

    def purge(self, now: float) -> None:
        """Forget secrets whose recovery window has passed (only the scheduled few are looked at)."""
        if not self.pending:
            return
        for name, due in list(self.pending.items()):
            if due <= now:
                self.remove(name)

    def index(self) -> None:
        """Rebuild what is derived after a restore or merge: ARNs and the deletion schedule."""
        self.pending = {}
        for secret in self.secrets.values():
            secret.arn = self.arn_of(secret)
            if secret.deletion_due is not None:
                self.pending[secret.name] = secret.deletion_due
