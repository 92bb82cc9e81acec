"""IAM's internal state: one account's identities, policies, credentials and settings.

IAM is global, so an account has exactly one ``IamBackend`` (the service pins every request to
the partition's global region). Each record below is also its view's declaration
(``core.kit.records``): a field added here is in the state view.

Entities are keyed by name (AWS compares IAM names case-insensitively, so the dictionaries are
keyed by the lower-cased name and each record keeps the name as given). Managed policies are
keyed by ARN. Group membership is held by the group (``Group.members``); which policies are
attached where is held by the entity (``attached``); ``IamBackend.attachments`` is the derived
index the other way (policy ARN -> entities), rebuilt whenever a backend is built from a view.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import string
from dataclasses import dataclass, field
from typing import Literal

from hoarfrost.core.kit.arn import build_arn

EntityKind = Literal["user", "group", "role"]

_ID_ALPHABET = string.ascii_uppercase + string.digits
# AWS's unique-id prefixes, by what the id names.
PREFIXES = {
    "user": "AIDA", "group": "AGPA", "role": "AROA", "policy": "ANPA", "instance_profile": "AIPA",
    "access_key": "AKIA", "server_certificate": "ASCA", "ssh_public_key": "APKA", "service_credential": "ACCA",
}
MAX_POLICY_VERSIONS = 5
MAX_ACCESS_KEYS = 2


def new_id(kind: str) -> str:
    """A unique id as AWS shapes them: the kind's prefix and 17 upper-case alphanumerics (16
    for an access key id, which is 20 characters long)."""
    return PREFIXES[kind] + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16 if kind == "access_key" else 17))


def folded(name: str) -> str:
    """How IAM compares names: ``Alice`` and ``alice`` are the same user."""
    return name.lower()


# -- credentials of a user ------------------------------------------------------------------------
@dataclass(slots=True, kw_only=True)
class AccessKey:
    """A long-term access key. ``last_used_*`` record the last request signed with it.

    ``secret_access_key`` is None for a key restored from a view exported without secrets: only
    its SHA-256 (``secret_access_key_sha256``, hex) is known then. hoarfrost verifies no
    signature, so the key id alone identifies the user either way."""

    access_key_id: str
    secret_access_key: str | None = None
    secret_access_key_sha256: str = ""
    status: str = "Active"
    create_date: dt.datetime
    last_used_date: dt.datetime | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None

    def __post_init__(self) -> None:
        if self.secret_access_key is not None and not self.secret_access_key_sha256:
            self.secret_access_key_sha256 = secret_hash(self.secret_access_key)


def secret_hash(secret: str) -> str:
    """How a view without secrets keeps a secret access key: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(slots=True, kw_only=True)
class LoginProfile:
    """A user's console password (kept as given: hoarfrost has no console to check it against)."""

    password: str
    create_date: dt.datetime
    password_reset_required: bool = False


@dataclass(slots=True, kw_only=True)
class SshPublicKey:
    ssh_public_key_id: str
    body: str
    fingerprint: str
    status: str = "Active"
    upload_date: dt.datetime


@dataclass(slots=True, kw_only=True)
class SigningCertificate:
    certificate_id: str
    body: str
    status: str = "Active"
    upload_date: dt.datetime


@dataclass(slots=True, kw_only=True)
class ServiceSpecificCredential:
    service_specific_credential_id: str
    service_name: str
    service_user_name: str
    service_password: str
    status: str = "Active"
    create_date: dt.datetime


# -- entities ---------------------------------------------------------------------------------
@dataclass(slots=True, kw_only=True)
class User:
    user_name: str
    user_id: str
    path: str = "/"
    arn: str
    create_date: dt.datetime
    tags: dict[str, str] = field(default_factory=dict)
    permissions_boundary: str | None = None
    inline_policies: dict[str, str] = field(default_factory=dict)  # policy name -> document
    attached: list[str] = field(default_factory=list)  # managed policy ARNs
    access_keys: dict[str, AccessKey] = field(default_factory=dict)
    login_profile: LoginProfile | None = None
    mfa_devices: list[str] = field(default_factory=list)  # serial numbers, in enabling order
    ssh_public_keys: dict[str, SshPublicKey] = field(default_factory=dict)
    signing_certificates: dict[str, SigningCertificate] = field(default_factory=dict)
    service_specific_credentials: dict[str, ServiceSpecificCredential] = field(default_factory=dict)
    password_last_used: dt.datetime | None = None


@dataclass(slots=True, kw_only=True)
class Group:
    group_name: str
    group_id: str
    path: str = "/"
    arn: str
    create_date: dt.datetime
    members: list[str] = field(default_factory=list)  # user names, as given, in joining order
    inline_policies: dict[str, str] = field(default_factory=dict)
    attached: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Role:
    role_name: str
    role_id: str
    path: str = "/"
    arn: str
    create_date: dt.datetime
    assume_role_policy_document: str
    description: str | None = None
    max_session_duration: int = 3600
    permissions_boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    inline_policies: dict[str, str] = field(default_factory=dict)
    attached: list[str] = field(default_factory=list)
    last_used_date: dt.datetime | None = None
    last_used_region: str | None = None
    # Set for service-linked roles: the service principal that may delete them.
    linked_service: str | None = None


@dataclass(slots=True, kw_only=True)
class InstanceProfile:
    instance_profile_name: str
    instance_profile_id: str
    path: str = "/"
    arn: str
    create_date: dt.datetime
    roles: list[str] = field(default_factory=list)  # role names (at most one)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class PolicyVersion:
    version_id: str  # v1, v2, ...
    document: str
    create_date: dt.datetime


@dataclass(slots=True, kw_only=True)
class ManagedPolicy:
    """A customer managed policy and its versions (at most five)."""

    policy_name: str
    policy_id: str
    path: str = "/"
    arn: str
    description: str | None = None
    create_date: dt.datetime
    update_date: dt.datetime
    default_version_id: str = "v1"
    next_version: int = 2  # the number CreatePolicyVersion gives next (AWS never reuses one)
    versions: dict[str, PolicyVersion] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def default_document(self) -> str:
        return self.versions[self.default_version_id].document


# -- account-level resources ---------------------------------------------------------------------
@dataclass(slots=True, kw_only=True)
class VirtualMfaDevice:
    serial_number: str
    base32_string_seed: str
    create_date: dt.datetime
    user_name: str | None = None  # set while enabled for a user
    enable_date: dt.datetime | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class ServerCertificate:
    server_certificate_name: str
    server_certificate_id: str
    path: str = "/"
    arn: str
    certificate_body: str
    certificate_chain: str | None = None
    upload_date: dt.datetime
    expiration: dt.datetime
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class OpenIdConnectProvider:
    url: str  # as stored: without https://
    arn: str
    client_ids: list[str] = field(default_factory=list)
    thumbprints: list[str] = field(default_factory=list)
    create_date: dt.datetime
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class SamlProvider:
    name: str
    arn: str
    saml_metadata_document: str
    create_date: dt.datetime
    valid_until: dt.datetime
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class CredentialReport:
    generated_time: dt.datetime
    content: str  # the CSV


class IamBackend:
    """One account's IAM (see the module docstring for keys and indexes)."""

    def __init__(self, account: str, partition: str) -> None:
        self.account = account
        self.partition = partition
        self.users: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        self.roles: dict[str, Role] = {}
        self.instance_profiles: dict[str, InstanceProfile] = {}
        self.policies: dict[str, ManagedPolicy] = {}  # by ARN
        self.mfa_devices: dict[str, VirtualMfaDevice] = {}  # by serial number
        self.server_certificates: dict[str, ServerCertificate] = {}
        self.oidc_providers: dict[str, OpenIdConnectProvider] = {}  # by ARN
        self.saml_providers: dict[str, SamlProvider] = {}  # by ARN
        self.account_aliases: list[str] = []
        self.password_policy: dict[str, object] | None = None
        self.credential_report: CredentialReport | None = None
        # SetSecurityTokenServicePreferences: 1 or 2; None until set (AWS's default is 1).
        self.global_endpoint_token_version: int | None = None
        # Keys once issued and since deleted: they are refused, not taken for the account root.
        self.deleted_access_keys: set[str] = set()
        # DeleteServiceLinkedRole's task ids -> their status (deletion is immediate: SUCCEEDED).
        self.deletion_tasks: dict[str, str] = {}
        # Derived: policy ARN -> the entities it is attached to, as (kind, folded name).
        self.attachments: dict[str, set[tuple[EntityKind, str]]] = {}
        # Bumped after every mutating request: what enforcement's per-principal cache checks.
        self.revision = 0
        self.authorization_cache: dict[tuple[str, str], tuple[int, object]] = {}

    def arn(self, resource: str) -> str:
        return build_arn("iam", "", self.account, resource, self.partition)

    def entity(self, kind: EntityKind, name: str) -> User | Group | Role | None:
        table: dict[str, User] | dict[str, Group] | dict[str, Role] = (
            self.users if kind == "user" else self.groups if kind == "group" else self.roles)
        return table.get(folded(name))

    def reindex(self) -> None:
        """Rebuild the derived attachment index from the entities."""
        self.attachments = {}
        entities: list[tuple[EntityKind, dict[str, User] | dict[str, Group] | dict[str, Role]]] = [
            ("user", self.users), ("group", self.groups), ("role", self.roles)]
        for kind, table in entities:
            for key, entity in table.items():
                for arn in entity.attached:
                    self.attachments.setdefault(arn, set()).add((kind, key))

    def groups_of(self, user_name: str) -> list[Group]:
        key = folded(user_name)
        return [group for group in self.groups.values() if any(folded(m) == key for m in group.members)]


def attachment_key(kind: EntityKind, name: str) -> tuple[EntityKind, str]:
    return kind, folded(name)


def attach(backend: IamBackend, kind: EntityKind, entity: User | Group | Role, policy_arn: str) -> None:
    if policy_arn not in entity.attached:
        entity.attached.append(policy_arn)
    backend.attachments.setdefault(policy_arn, set()).add(attachment_key(kind, _name(entity)))


def detach(backend: IamBackend, kind: EntityKind, entity: User | Group | Role, policy_arn: str) -> None:
    entity.attached.remove(policy_arn)
    users = backend.attachments.get(policy_arn)
    if users is not None:
        users.discard(attachment_key(kind, _name(entity)))
        if not users:
            del backend.attachments[policy_arn]


def _name(entity: User | Group | Role) -> str:
    if isinstance(entity, User):
        return entity.user_name
    if isinstance(entity, Group):
        return entity.group_name
    return entity.role_name


def entity_name(entity: User | Group | Role) -> str:
    return _name(entity)



def stable_id(prefix: str, seed: str) -> str:
    """A unique id derived from ``seed`` (AWS managed policies: the same in every emulator)."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return prefix + "".join(_ID_ALPHABET[byte % len(_ID_ALPHABET)] for byte in digest[:17])


def new_secret() -> str:
    """A 40-character secret access key, as AWS's look."""
    alphabet = string.ascii_letters + string.digits + "+/"
    return "".join(secrets.choice(alphabet) for _ in range(40))
