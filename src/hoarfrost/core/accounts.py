"""Which account a request belongs to, from its access key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hoarfrost.core.kit.arn import build_arn, partition_for

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a key belongs to: what GetCallerIdentity answers for it."""

    account: str
    arn: str
    user_id: str


IdentityIssuer = Callable[[str], Identity | None]


class AccountMap:
    """Access key -> account.

    Order: the configured static map, then keys issued by hoarfrost itself (STS, later IAM,
    which register an issuer), then a 12-digit key id meaning that account, then the default.
    """

    def __init__(self, default_account: str = DEFAULT_ACCOUNT, static: dict[str, str] | None = None) -> None:
        self.default_account = default_account
        self.static: dict[str, str] = dict(static or {})
        self._issuers: list[IdentityIssuer] = []

    def register_issuer(self, issuer: IdentityIssuer) -> None:
        self._issuers.append(issuer)

    def issued_identity(self, access_key: str | None) -> Identity | None:
        if access_key:
            for issuer in self._issuers:
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
