"""KMS's internal state for one account/region: keys (with their key material, rotations,
grants and pending imports) and aliases.

Plain dataclasses shaped for the handlers, and also the declaration of KMS's state view:
``views.py`` derives each resource's view from its record (``core.kit.records``), so key
material is in the view and a restored emulator decrypts what the old one encrypted.

Time-driven changes (a key past its deletion date disappears, automatic rotation, imported
material that expires) happen when the scope is next used: ``KmsBackend.catch_up(now)``
runs them, costing one comparison until something is due.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.kit.records import EPOCH, OPTIONAL_EPOCH, VIEW_EXCLUDE, view_as
from hoarfrost.services.kms import crypto

DAY = 86400.0
DEFAULT_ROTATION_DAYS = 365
# How many rotations one catch-up performs at most for one key (a clock moved by decades).
MAX_CATCH_UP_ROTATIONS = 100

ENABLED, DISABLED = "Enabled", "Disabled"
PENDING_DELETION, PENDING_IMPORT = "PendingDeletion", "PendingImport"
# A multi-Region primary scheduled for deletion while it still has replicas.
PENDING_REPLICA_DELETION = "PendingReplicaDeletion"
PENDING_DELETIONS = (PENDING_DELETION, PENDING_REPLICA_DELETION)


def key_arn(region: str, account: str, key_id: str) -> str:
    return build_arn("kms", region, account, f"key/{key_id}")


def alias_arn(region: str, account: str, name: str) -> str:
    return build_arn("kms", region, account, name)


def default_key_policy(account: str, partition_arn: str) -> str:
    """The key policy AWS gives a key created without one: the account (and so IAM) decides."""
    root = f"arn:{partition_arn}:iam::{account}:root"
    return json.dumps({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }, indent=2)


def managed_key_policy(account: str, partition_arn: str, service: str) -> str:
    """The policy of an AWS managed key (``alias/aws/<service>``): any principal of the account
    may use it through that service, and read its metadata directly."""
    root = f"arn:{partition_arn}:iam::{account}:root"
    return json.dumps({
        "Version": "2012-10-17",
        "Id": f"auto-{service}-2",
        "Statement": [
            {
                "Sid": f"Allow access through {service} for all principals in the account that are authorized "
                       f"to use {service}",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                           "kms:CreateGrant", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": account}},
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
        ],
    }, indent=2)


@dataclass(kw_only=True)
class KeyMaterial:
    """One generation of a key's material. The first has no rotation type; each rotation adds
    one and makes it current, and every generation still decrypts what it encrypted."""

    material_id: str
    material: bytes
    created: float = field(metadata=view_as(EPOCH))
    rotation_type: str | None = None  # AUTOMATIC or ON_DEMAND for material a rotation made
    # Imported material: its expiry (KEY_MATERIAL_EXPIRES) and the caller's description.
    imported: bool = False
    valid_to: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    description: str | None = None


@dataclass(kw_only=True)
class Grant:
    grant_id: str
    token: str
    grantee_principal: str | None = None
    grantee_service_principal: str | None = None
    retiring_principal: str | None = None
    retiring_service_principal: str | None = None
    operations: list[str] = field(default_factory=list)
    constraints: dict[str, dict[str, str]] = field(default_factory=dict)
    name: str | None = None
    issuing_account: str = ""
    created: float = field(default=0.0, metadata=view_as(EPOCH))


@dataclass(kw_only=True)
class ImportParameters:
    """What GetParametersForImport handed out: the wrapping key pair, until ``valid_to``."""

    token_id: str
    wrapping_algorithm: str
    wrapping_key_spec: str
    wrapping_material: bytes
    valid_to: float = field(metadata=view_as(EPOCH))


@dataclass(kw_only=True)
class Key:
    key_id: str
    key_spec: str = "SYMMETRIC_DEFAULT"
    key_usage: str = "ENCRYPT_DECRYPT"
    origin: str = "AWS_KMS"
    key_manager: str = "CUSTOMER"
    description: str = ""
    created: float = field(default=0.0, metadata=view_as(EPOCH))
    key_state: str = ENABLED
    deletion_date: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    pending_window_days: int | None = None
    policy: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    # Generations of material by KeyMaterialId; ``current_material`` encrypts, all decrypt.
    materials: dict[str, KeyMaterial] = field(default_factory=dict)
    current_material: str | None = None
    rotation_enabled: bool = False
    rotation_period_days: int | None = None
    next_rotation: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    on_demand_rotation_started: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    # Imported keys: the fingerprint of the material first imported (only it may come back).
    imported_fingerprint: str | None = None
    expiration_model: str | None = None
    imports: dict[str, ImportParameters] = field(default_factory=dict)
    # Multi-region keys: every copy knows the primary's region and the replicas' regions.
    multi_region: bool = False
    primary_region: str | None = None
    replica_regions: list[str] = field(default_factory=list)
    grants: dict[str, Grant] = field(default_factory=dict)
    # The last successful cryptographic operation (GetKeyLastUsage): name, when, request id.
    last_used_operation: str | None = None
    last_used_at: float | None = field(default=None, metadata=view_as(OPTIONAL_EPOCH))
    last_used_request_id: str | None = None
    # Where the key lives: set by the scope it is created or restored in, never by a view.
    arn: str = field(default="", metadata=VIEW_EXCLUDE)

    @property
    def enabled(self) -> bool:
        return self.key_state == ENABLED

    def material(self, material_id: str | None = None) -> KeyMaterial | None:
        return self.materials.get(material_id or self.current_material or "")

    def add_material(self, material: KeyMaterial) -> None:
        self.materials[material.material_id] = material
        self.current_material = material.material_id

    def rotate(self, when: float, rotation_type: str) -> KeyMaterial:
        """New current material (the old generations keep decrypting)."""
        material = KeyMaterial(material_id=crypto.new_material_id(), material=crypto.generate(self.key_spec),
                               created=when, rotation_type=rotation_type)
        self.add_material(material)
        return material

    def due(self) -> float | None:
        """The next moment something happens to this key by itself, if any."""
        moments = [self.deletion_date, self.next_rotation if self.rotation_enabled else None,
                   *(m.valid_to for m in self.materials.values() if m.valid_to is not None)]
        present = [moment for moment in moments if moment is not None]
        return min(present) if present else None


@dataclass(kw_only=True)
class Alias:
    name: str
    target_key_id: str
    created: float = field(default=0.0, metadata=view_as(EPOCH))
    updated: float = field(default=0.0, metadata=view_as(EPOCH))


@dataclass
class Due:
    """What ``KmsBackend.catch_up`` did that reaches beyond its scope: whether anything
    changed, the multi-Region primaries that rotated (their replicas take the new material),
    and the replicas deleted (key id, primary region: the primary forgets them)."""

    changed: bool = False
    rotated: list[str] = field(default_factory=list)
    replicas_gone: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class KmsBackend:
    account: str
    region: str
    keys: dict[str, Key] = field(default_factory=dict)  # by key id
    aliases: dict[str, Alias] = field(default_factory=dict)  # by alias name
    # Indexes: grant token -> (key id, grant id); the next moment ``catch_up`` has work.
    grant_tokens: dict[str, tuple[str, str]] = field(default_factory=dict)
    next_due: float | None = None

    def key_arn(self, key_id: str) -> str:
        return key_arn(self.region, self.account, key_id)

    def alias_arn(self, name: str) -> str:
        return alias_arn(self.region, self.account, name)

    def add_key(self, key: Key) -> None:
        key.arn = self.key_arn(key.key_id)
        self.keys[key.key_id] = key
        self.schedule(key)

    def schedule(self, key: Key) -> None:
        """Note ``key``'s next timed change (after anything that may set one)."""
        due = key.due()
        if due is not None and (self.next_due is None or due < self.next_due):
            self.next_due = due

    def remove_key(self, key_id: str) -> None:
        key = self.keys.pop(key_id, None)
        if key is None:
            return
        for grant in key.grants.values():
            self.grant_tokens.pop(grant.token, None)
        for name in [name for name, alias in self.aliases.items() if alias.target_key_id == key_id]:
            del self.aliases[name]

    def add_grant(self, key: Key, grant: Grant) -> None:
        key.grants[grant.grant_id] = grant
        self.grant_tokens[grant.token] = (key.key_id, grant.grant_id)

    def remove_grant(self, key: Key, grant_id: str) -> None:
        grant = key.grants.pop(grant_id, None)
        if grant is not None:
            self.grant_tokens.pop(grant.token, None)

    def index(self) -> None:
        """Rebuild ARNs and indexes after a view was restored or merged."""
        self.grant_tokens = {}
        self.next_due = None
        for key in self.keys.values():
            key.arn = self.key_arn(key.key_id)
            for grant in key.grants.values():
                self.grant_tokens[grant.token] = (key.key_id, grant.grant_id)
            self.schedule(key)

    def catch_up(self, now: float) -> Due:
        """Apply what the clock made due: deletions, automatic rotations, expired imported
        material. Answers what other regions must follow (``Due``)."""
        due = Due()
        if self.next_due is None or now < self.next_due:
            return due
        due.changed = True
        for key in list(self.keys.values()):
            if key.deletion_date is not None and key.deletion_date <= now:
                self.remove_key(key.key_id)
                if key.multi_region and key.primary_region and key.primary_region != self.region:
                    due.replicas_gone.append((key.key_id, key.primary_region))
                continue
            if key.rotation_enabled and key.next_rotation is not None and key.next_rotation <= now \
                    and key.rotation_period_days and key.key_state not in PENDING_DELETIONS:
                for _ in range(MAX_CATCH_UP_ROTATIONS):
                    key.rotate(key.next_rotation, "AUTOMATIC")
                    key.next_rotation += key.rotation_period_days * DAY
                    if key.next_rotation > now:
                        break
                if key.multi_region and key.primary_region == self.region:
                    due.rotated.append(key.key_id)
            for material in list(key.materials.values()):
                if material.valid_to is not None and material.valid_to <= now:
                    expire_imported(key)
                    break
        self.next_due = None
        for key in self.keys.values():
            self.schedule(key)
        return due


def expire_imported(key: Key) -> None:
    """Imported material removed (expired or deleted): the key waits for an import again."""
    key.materials.clear()
    key.current_material = None
    if key.key_state not in PENDING_DELETIONS:
        key.key_state = PENDING_IMPORT
    key.expiration_model = None
