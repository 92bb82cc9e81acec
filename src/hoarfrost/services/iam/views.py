"""IAM's typed state view: one account's users (with their access keys: each secret as its
SHA-256 unless the view is taken with ``secrets=True``; a restored key identifies its user
either way, since hoarfrost verifies no signature), groups, roles, instance profiles, customer managed
policies with every version, MFA devices, certificates, identity providers and account
settings.

Each resource's view is derived from its record in ``state.py``. Collections are lists of
resources carrying their key: users, groups, roles, instance profiles and server certificates
their name, policies and identity providers their ARN's name part (``policy_name``, ``url``,
``name``), MFA devices their serial number. ARNs are rebuilt for the scope a view is restored
into, so one account's snapshot restores into another.

Merge rule: a resource whose key exists takes the view's fields and its children (a user's
keys, certificates) merge by the same rule; aliases and deleted keys are added; a password
policy or credential report in the view replaces the account's. Nothing is removed.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from hoarfrost.core.kit.records import RecordView, merge_keyed, record_view
from hoarfrost.core.views import StateView
from hoarfrost.services.iam.state import (
    AccessKey,
    CredentialReport,
    Group,
    IamBackend,
    InstanceProfile,
    LoginProfile,
    ManagedPolicy,
    OpenIdConnectProvider,
    PolicyVersion,
    Role,
    SamlProvider,
    ServerCertificate,
    ServiceSpecificCredential,
    SigningCertificate,
    SshPublicKey,
    User,
    VirtualMfaDevice,
    folded,
    secret_hash,
)


@record_view(AccessKey, key="access_key_id")
class AccessKeyView(RecordView):
    """A long-term access key and its last use. ``secret_access_key`` is there only in a view
    taken with secrets (``snapshot(..., secrets=True)``, ``?secrets=1``); otherwise the view holds
    ``secret_access_key_sha256`` alone. Restoring either kind gives a key that identifies its
    user; a view giving a secret and a hash that disagree is invalid."""


@record_view(LoginProfile)
class LoginProfileView(RecordView):
    """A user's console password."""


@record_view(SshPublicKey, key="ssh_public_key_id")
class SshPublicKeyView(RecordView):
    """An SSH public key uploaded for CodeCommit."""


@record_view(SigningCertificate, key="certificate_id")
class SigningCertificateView(RecordView):
    """An X.509 signing certificate of a user."""


@record_view(ServiceSpecificCredential, key="service_specific_credential_id")
class ServiceSpecificCredentialView(RecordView):
    """A service-specific credential (CodeCommit, Keyspaces) with its password."""


@record_view(User, key="user_name")
class UserView(RecordView):
    """A user: inline policies by name, attached managed policy ARNs, credentials. ``arn`` is
    rebuilt from ``path`` and ``user_name`` for the scope the view is restored into."""

    arn: str = ""


@record_view(Group, key="group_name")
class GroupView(RecordView):
    """A group; ``members`` are user names, each of which must be a user of the same view."""

    arn: str = ""


@record_view(Role, key="role_name")
class RoleView(RecordView):
    """A role with its trust policy, limits and last use."""

    arn: str = ""


@record_view(InstanceProfile, key="instance_profile_name")
class InstanceProfileView(RecordView):
    """An instance profile and the (at most one) role name it holds."""

    arn: str = ""


@record_view(PolicyVersion, key="version_id")
class PolicyVersionView(RecordView):
    """One version of a managed policy: its document as JSON text."""


@record_view(ManagedPolicy, key="policy_name")
class ManagedPolicyView(RecordView):
    """A customer managed policy with every version; ``default_version_id`` names one of them."""

    arn: str = ""


@record_view(VirtualMfaDevice, key="serial_number")
class VirtualMfaDeviceView(RecordView):
    """A virtual MFA device; ``user_name`` is set while it is enabled for that user."""


@record_view(ServerCertificate, key="server_certificate_name")
class ServerCertificateView(RecordView):
    """A server certificate (PEM body and chain; no private key is kept)."""

    arn: str = ""


@record_view(OpenIdConnectProvider, key="url")
class OpenIdConnectProviderView(RecordView):
    """An OIDC identity provider, keyed by its URL (without ``https://``)."""

    arn: str = ""


@record_view(SamlProvider, key="name")
class SamlProviderView(RecordView):
    """A SAML identity provider and its metadata document."""

    arn: str = ""


@record_view(CredentialReport)
class CredentialReportView(RecordView):
    """The last generated credential report (CSV)."""


class IamStateView(StateView):
    """IAM state of one account (IAM is global: the region is the partition's global region).
    Keys and merge: see ``hoarfrost.services.iam.views``."""

    users: list[UserView] = Field(default_factory=list)
    groups: list[GroupView] = Field(default_factory=list)
    roles: list[RoleView] = Field(default_factory=list)
    instance_profiles: list[InstanceProfileView] = Field(default_factory=list)
    policies: list[ManagedPolicyView] = Field(default_factory=list)
    virtual_mfa_devices: list[VirtualMfaDeviceView] = Field(default_factory=list)
    server_certificates: list[ServerCertificateView] = Field(default_factory=list)
    open_id_connect_providers: list[OpenIdConnectProviderView] = Field(default_factory=list)
    saml_providers: list[SamlProviderView] = Field(default_factory=list)
    account_aliases: list[str] = Field(default_factory=list)
    password_policy: dict[str, Any] | None = None
    credential_report: CredentialReportView | None = None
    # None in a partial view (merge) leaves the account's preference as it is.
    global_endpoint_token_version: int | None = Field(default=None, ge=1, le=2)
    deleted_access_keys: list[str] = Field(default_factory=list, description="keys deleted: still refused")
    deletion_tasks: dict[str, str] = Field(default_factory=dict, description="service-linked role deletions")


def to_view(backend: IamBackend) -> IamStateView:
    return IamStateView(
        users=[UserView.of(item) for item in backend.users.values()],
        groups=[GroupView.of(item) for item in backend.groups.values()],
        roles=[RoleView.of(item) for item in backend.roles.values()],
        instance_profiles=[InstanceProfileView.of(item) for item in backend.instance_profiles.values()],
        policies=[ManagedPolicyView.of(item) for item in backend.policies.values()],
        virtual_mfa_devices=[VirtualMfaDeviceView.of(item) for item in backend.mfa_devices.values()],
        server_certificates=[ServerCertificateView.of(item) for item in backend.server_certificates.values()],
        open_id_connect_providers=[OpenIdConnectProviderView.of(item) for item in backend.oidc_providers.values()],
        saml_providers=[SamlProviderView.of(item) for item in backend.saml_providers.values()],
        account_aliases=list(backend.account_aliases),
        password_policy=dict(backend.password_policy) if backend.password_policy is not None else None,
        credential_report=(CredentialReportView.of(backend.credential_report)
                           if backend.credential_report is not None else None),
        deleted_access_keys=sorted(backend.deleted_access_keys),
        deletion_tasks=dict(backend.deletion_tasks),
        global_endpoint_token_version=backend.global_endpoint_token_version,
    )


def redact_secrets(view: IamStateView) -> None:
    """Keep access keys' secrets out of ``view``, leaving their hash."""
    for user in view.users:
        for key in user.access_keys:
            key.secret_access_key = None


def _check_keys(backend: IamBackend) -> None:
    for user in backend.users.values():
        for key in user.access_keys.values():
            if key.secret_access_key is None and not key.secret_access_key_sha256:
                raise ValueError(f"access key {key.access_key_id}: neither secret_access_key nor "
                                 "secret_access_key_sha256 is given")
            if key.secret_access_key is not None and key.secret_access_key_sha256 != secret_hash(
                    key.secret_access_key):
                raise ValueError(f"access key {key.access_key_id}: secret_access_key_sha256 is not the hash of "
                                 "secret_access_key")


def _keep_known_secrets(target: IamBackend, source: IamBackend) -> None:
    """A key merged from a view without secrets keeps the secret the emulator knows for it, when
    the view's hash is that secret's."""
    for name, user in source.users.items():
        existing = target.users.get(name)
        if existing is None:
            continue
        for key_id, key in user.access_keys.items():
            known = existing.access_keys.get(key_id)
            if (key.secret_access_key is None and known is not None and known.secret_access_key is not None
                    and known.secret_access_key_sha256 == key.secret_access_key_sha256):
                key.secret_access_key = known.secret_access_key


def _keyed(items: list[Any], key: str, what: str) -> dict[str, Any]:
    records: dict[str, Any] = {}
    for item in items:
        name = folded(getattr(item, key)) if key.endswith("name") else getattr(item, key)
        if name in records:
            raise ValueError(f"{what} {getattr(item, key)!r} appears twice")
        records[name] = item.to_record()
    return records


def from_view(view: IamStateView, account: str, partition: str) -> IamBackend:
    """A new backend from ``view`` with ARNs rebuilt for ``account``; ValueError for a view
    whose resources name what it does not hold."""
    backend = IamBackend(account, partition)
    backend.users = _keyed(view.users, "user_name", "user")
    backend.groups = _keyed(view.groups, "group_name", "group")
    backend.roles = _keyed(view.roles, "role_name", "role")
    backend.instance_profiles = _keyed(view.instance_profiles, "instance_profile_name", "instance profile")
    backend.mfa_devices = _keyed(view.virtual_mfa_devices, "serial_number", "MFA device")
    backend.server_certificates = _keyed(view.server_certificates, "server_certificate_name", "server certificate")
    for user in backend.users.values():
        user.arn = backend.arn(f"user{user.path}{user.user_name}")
    for group in backend.groups.values():
        group.arn = backend.arn(f"group{group.path}{group.group_name}")
    for role in backend.roles.values():
        role.arn = backend.arn(f"role{role.path}{role.role_name}")
    for profile in backend.instance_profiles.values():
        profile.arn = backend.arn(f"instance-profile{profile.path}{profile.instance_profile_name}")
    for certificate in backend.server_certificates.values():
        certificate.arn = backend.arn(f"server-certificate{certificate.path}{certificate.server_certificate_name}")
    for item in view.policies:
        policy = item.to_record()
        policy.arn = backend.arn(f"policy{policy.path}{policy.policy_name}")
        if policy.arn in backend.policies:
            raise ValueError(f"policy {policy.policy_name!r} appears twice")
        if policy.default_version_id not in policy.versions:
            raise ValueError(f"policy {policy.policy_name!r}: default version {policy.default_version_id} is not one "
                             "of its versions")
        backend.policies[policy.arn] = policy
    for provider_view in view.open_id_connect_providers:
        provider = provider_view.to_record()
        provider.arn = backend.arn(f"oidc-provider/{provider.url}")
        backend.oidc_providers[provider.arn] = provider
    for saml_view in view.saml_providers:
        saml = saml_view.to_record()
        saml.arn = backend.arn(f"saml-provider/{saml.name}")
        backend.saml_providers[saml.arn] = saml
    backend.account_aliases = list(view.account_aliases)
    backend.password_policy = dict(view.password_policy) if view.password_policy is not None else None
    backend.credential_report = view.credential_report.to_record() if view.credential_report is not None else None
    backend.deleted_access_keys = set(view.deleted_access_keys)
    backend.deletion_tasks = dict(view.deletion_tasks)
    backend.global_endpoint_token_version = view.global_endpoint_token_version
    _check_references(backend)
    _check_keys(backend)
    backend.reindex()
    return backend


def _check_references(backend: IamBackend) -> None:
    for group in backend.groups.values():
        for member in group.members:
            if folded(member) not in backend.users:
                raise ValueError(f"group {group.group_name!r} names user {member!r}, which the view does not hold")
    for profile in backend.instance_profiles.values():
        for role in profile.roles:
            if folded(role) not in backend.roles:
                raise ValueError(f"instance profile {profile.instance_profile_name!r} names role {role!r}, which the "
                                 "view does not hold")
    for device in backend.mfa_devices.values():
        if device.user_name is not None and folded(device.user_name) not in backend.users:
            raise ValueError(f"MFA device {device.serial_number!r} names user {device.user_name!r}, which the view "
                             "does not hold")


def merge(target: IamBackend, source: IamBackend) -> None:
    _keep_known_secrets(target, source)
    merge_keyed(target.users, source.users, UserView.merge)
    merge_keyed(target.groups, source.groups, GroupView.merge)
    merge_keyed(target.roles, source.roles, RoleView.merge)
    merge_keyed(target.instance_profiles, source.instance_profiles, InstanceProfileView.merge)
    merge_keyed(target.policies, source.policies, ManagedPolicyView.merge)
    merge_keyed(target.mfa_devices, source.mfa_devices, VirtualMfaDeviceView.merge)
    merge_keyed(target.server_certificates, source.server_certificates, ServerCertificateView.merge)
    merge_keyed(target.oidc_providers, source.oidc_providers, OpenIdConnectProviderView.merge)
    merge_keyed(target.saml_providers, source.saml_providers, SamlProviderView.merge)
    target.account_aliases.extend(a for a in source.account_aliases if a not in target.account_aliases)
    if source.password_policy is not None:
        target.password_policy = source.password_policy
    if source.credential_report is not None:
        target.credential_report = source.credential_report
    target.deleted_access_keys |= source.deleted_access_keys
    target.deletion_tasks.update(source.deletion_tasks)
    if source.global_endpoint_token_version is not None:
        target.global_endpoint_token_version = source.global_endpoint_token_version
    target.reindex()
