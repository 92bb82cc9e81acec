"""Which account a request belongs to, from its access key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from hoarfrost.core.kit.arn import build_arn, partition_for

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a key belongs to: what GetCallerIdentity answers for it."""

    account: str
    arn: str
    user_id: str
    # False for a key its issuer knows but refuses (an IAM key made Inactive, or deleted):
    # every service then answers the protocol's "invalid security token" error.
    active: bool = True
    # A session's scope-down policies (AssumeRole's Policy and PolicyArns): with IAM enforcement
    # the session may do only what these allow too.
    session_policy: str | None = None
    session_policy_arns: tuple[str, ...] = ()


IdentityIssuer = Callable[[str], Identity | None]
# Told when a request is authenticated with a key its issuer issued: (key, signing service, region).
KeyUseListener = Callable[[str, str, str], None]


@dataclass(frozen=True, slots=True)
class RoleInfo:
    """What STS needs to know of an IAM role it is asked to assume."""

    arn: str
    role_id: str
    max_session_duration: int
    trust_policy: str


class RoleDirectory(Protocol):
    """The role look-up port IAM registers (``AccountMap.register_roles``) and STS consults,
    so neither service imports the other. Answers without taking any lock."""

    def has_roles(self, account: str) -> bool:
        """Whether hoarfrost holds IAM roles for ``account`` (then its role set is authoritative)."""

    def role(self, arn: str) -> RoleInfo | None:
        """The role ``arn`` names, None when there is none."""

    def role_used(self, arn: str, region: str) -> None:
        """Record that the role was assumed now, from ``region`` (its RoleLastUsed)."""


class AccountMap:
    """Access key -> account.

    Order: the configured static map, then keys issued by hoarfrost itself (STS, later IAM,
    which register an issuer), then a 12-digit key id meaning that account, then the default.
    """

    def __init__(self, default_account: str = DEFAULT_ACCOUNT, static: dict[str, str] | None = None) -> None:
        self.default_account = default_account
        self.static: dict[str, str] = dict(static or {})
        self._issuers: list[tuple[IdentityIssuer, KeyUseListener | None]] = []
        self.roles: RoleDirectory | None = None
        # IAM's policy evaluation, consulted only when enforcement is on (core.authorization).
        self.authorizer: Any = None

    def register_issuer(self, issuer: IdentityIssuer, on_use: KeyUseListener | None = None) -> None:
        """``issuer`` answers the identity of the keys it issued; ``on_use`` (if given) is told
        each time a request is authenticated with one of them (IAM's key last-used record)."""
        self._issuers.append((issuer, on_use))

    def register_authorizer(self, authorizer: Any) -> None:
        """IAM's ``core.authorization.Authorizer``: asked about every request when the emulator
        enforces IAM."""
        self.authorizer = authorizer

    def register_roles(self, directory: RoleDirectory) -> None:
        """IAM's roles, for STS to check AssumeRole against (see ``RoleDirectory``)."""
        self.roles = directory

    def issued_identity(self, access_key: str | None) -> Identity | None:
        if access_key:
            for issuer, _ in self._issuers:
                identity = issuer(access_key)
                if identity is not None:
                    return identity
        return None

    def account_for(self, access_key: str | None) -> str:
        if not access_key:
            return self.default_account
        account = self.static.get(access_key)
        if account is not None:
            return account
        if self._issuers:
            identity = self.issued_identity(access_key)
            if identity is not None:
                return identity.account
        if len(access_key) == 12 and access_key.isdigit():
            return access_key
        return self.default_account

    def authenticate(self, access_key: str | None, service: str, region: str) -> str | None:
        """The account a request signed with ``access_key`` belongs to, as ``account_for``;
        None when the key's issuer refuses it (inactive or deleted). The issuer hears of the
        use. Called once per request by the pipeline."""
        if access_key and self._issuers and access_key not in self.static:
            for issuer, on_use in self._issuers:
                identity = issuer(access_key)
                if identity is not None:
                    if not identity.active:
                        return None
                    if on_use is not None:
                        on_use(access_key, service, region)
                    return identity.account
        return self.account_for(access_key)

    def identity_for(self, access_key: str | None, region: str | None = None) -> Identity:
        """The caller's identity: an issued key's principal, else the account's root (in the
        partition of the region the request went to)."""
        identity = self.issued_identity(access_key)
        if identity is not None:
            return identity
        account = self.account_for(access_key)
        return Identity(account=account, arn=root_arn(account, region), user_id=account)


def root_arn(account: str, region: str | None = None) -> str:
    """``arn:<partition>:iam::<account>:root``, the partition being ``region``'s."""
    return build_arn("iam", "", account, "root", partition_for(region))
