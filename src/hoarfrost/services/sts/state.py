"""STS's internal state: issued sessions, stable role ids, and how credentials are minted.

A ``Session`` is one set of temporary credentials and the principal it stands for. Sessions
live in the backend of the scope (caller's account, region) whose request issued them, which
is also the scope whose state view lists them; the service keeps a process-wide index from
access key id to session so any service can attribute a request signed with an issued key to
the session's account (see ``StsService``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
import string
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import Field

from hoarfrost.core.accounts import Identity
from hoarfrost.core.kit.arn import Arn, build_arn, partitions, try_parse_arn
from hoarfrost.core.kit.records import VIEW_EXCLUDE

UTC = dt.UTC

# The session token size STS reports utilisation against (the model's MinimumSessionTokenSize max).
MAX_SESSION_TOKEN_SIZE = 4096
_KEY_ALPHABET = string.ascii_uppercase + string.digits
_ID_ALPHABET = string.ascii_uppercase + string.digits


def new_access_key_id(prefix: str = "ASIA") -> str:
    """``ASIA`` + 16 upper-case alphanumerics for temporary keys (``AKIA`` for long-term)."""
    return prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def new_secret_access_key() -> str:
    return base64.b64encode(secrets.token_bytes(30)).decode("ascii")


def new_session_token(minimum_size: int = 0) -> str:
    """An opaque base64 token, padded to ``minimum_size`` bytes when the caller asked for it."""
    token = "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(264)).decode("ascii")
    if len(token) < minimum_size:
        token += base64.b64encode(secrets.token_bytes(minimum_size)).decode("ascii")[: minimum_size - len(token)]
    return token


def stable_id(prefix: str, seed: str) -> str:
    """A 21-character principal id (``AROA...``) derived from ``seed``, so the same role ARN gets
    the same id in every scope and every emulator, as a role keeps its id in AWS."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    return prefix + "".join(_ID_ALPHABET[byte % len(_ID_ALPHABET)] for byte in digest[:17])


# -- ARNs -------------------------------------------------------------------------------------
# The resource grammars of the principal ARNs STS takes; the ARN itself is the kit's to parse.
_ACCOUNT = re.compile(r"\d{12}")
_ROLE = re.compile(r"role/((?:[\x21-\x7e]+/)*)([\w+=,.@-]{1,64})")
_SAML_PROVIDER = re.compile(r"saml-provider/([\w.-]{1,128})")
_PRINCIPAL = re.compile(r"[\x21-\x7e]+")


def _principal_arn(text: str, resource: re.Pattern[str],
                   services: tuple[str, ...] = ("iam",)) -> tuple[Arn, re.Match[str]] | None:
    """An IAM (or STS) ARN of a known partition, without region, in a 12-digit account, whose
    resource matches ``resource``: the ARN and that match."""
    arn = try_parse_arn(text)
    if (arn is None or arn.service not in services or arn.region or arn.partition not in partitions()
            or not _ACCOUNT.fullmatch(arn.account)):
        return None
    match = resource.fullmatch(arn.resource)
    return (arn, match) if match is not None else None


@dataclass(frozen=True, slots=True)
class RoleArn:
    """An IAM role ARN taken apart: ``arn:<partition>:iam::<account>:role/<path><name>``."""

    arn: str
    partition: str
    account: str
    path: str
    name: str

    @classmethod
    def parse(cls, arn: str) -> RoleArn | None:
        found = _principal_arn(arn, _ROLE)
        if found is None:
            return None
        parsed, match = found
        return cls(arn, parsed.partition, parsed.account, "/" + match.group(1), match.group(2))

    def assumed_role_arn(self, session_name: str) -> str:
        """STS names the session by the role's name only; the path is not part of it."""
        return build_arn("sts", "", self.account, f"assumed-role/{self.name}/{session_name}", self.partition)


@dataclass(frozen=True, slots=True)
class SamlProviderArn:
    arn: str
    partition: str
    account: str
    name: str

    @classmethod
    def parse(cls, arn: str) -> SamlProviderArn | None:
        found = _principal_arn(arn, _SAML_PROVIDER)
        return cls(arn, found[0].partition, found[0].account, found[1].group(1)) if found is not None else None


def principal_account(arn: str) -> str | None:
    """The account of an IAM or STS principal ARN, or None when ``arn`` is not one."""
    found = _principal_arn(arn, _PRINCIPAL, ("iam", "sts"))
    return found[0].account if found is not None else None


# -- sessions ---------------------------------------------------------------------------------
@dataclass(slots=True, eq=False, kw_only=True)
class Session:
    """One set of issued credentials and the principal they stand for.

    This is also ``SessionView``'s declaration: a field added here is in the view, in this
    order (keyword-only, so optional fields can stay where the published view has them), and a
    default is what a view may leave out."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: dt.datetime
    issued_at: dt.datetime | None = None
    operation: str = "AssumeRole"  # the STS operation that issued it (a view may omit it)
    account: str  # the account requests signed with this key belong to
    arn: str  # what GetCallerIdentity answers
    user_id: Annotated[str, Field(description="AROA...:session for assumed roles, ACCOUNT:name for federated users")]
    role_arn: str | None = None
    role_session_name: str | None = None
    source_identity: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    transitive_tag_keys: list[str] = field(default_factory=list)
    policy: str | None = None
    policy_arns: list[str] = field(default_factory=list)
    external_id: str | None = None
    subject: str | None = None  # web identity / SAML subject
    provider: str | None = None  # web identity issuer, SAML issuer
    audience: str | None = None
    scoped_policies: int = 0  # GetScopedCredentials layers
    # Derived from the fields above when the session is built; never part of a view.
    identity: Identity = field(init=False, metadata=VIEW_EXCLUDE)
    expires_at: float = field(init=False, metadata=VIEW_EXCLUDE)  # epoch seconds: the hot-path expiry check

    def __post_init__(self) -> None:
        if self.expiration.tzinfo is None:
            self.expiration = self.expiration.replace(tzinfo=UTC)
        self.identity = Identity(account=self.account, arn=self.arn, user_id=self.user_id,
                                 session_policy=self.policy, session_policy_arns=tuple(self.policy_arns))
        self.expires_at = self.expiration.timestamp()

    def expired(self, now: float) -> bool:
        return now >= self.expires_at

    def credentials(self) -> dict[str, object]:
        """The ``Credentials`` member every issuing operation answers."""
        return {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": self.expiration,
        }

    def transitive_tags(self) -> dict[str, str]:
        """Tags a session assumed with these credentials inherits (role chaining)."""
        keys = {key.lower() for key in self.transitive_tag_keys}
        return {key: value for key, value in self.tags.items() if key.lower() in keys}


def new_session(
    *, now: dt.datetime, operation: str, duration: int, account: str, arn: str, user_id: str, prefix: str = "ASIA",
    minimum_token_size: int = 0, **attributes: Any,
) -> Session:
    """Mint fresh credentials for a principal, valid ``duration`` seconds from ``now``."""
    now = now.replace(microsecond=0)
    return Session(
        access_key_id=new_access_key_id(prefix),
        secret_access_key=new_secret_access_key(),
        session_token=new_session_token(minimum_token_size),
        expiration=now + dt.timedelta(seconds=duration),
        issued_at=now,
        operation=operation,
        account=account,
        arn=arn,
        user_id=user_id,
        **attributes,
    )


class StsBackend:
    """One account/region: the sessions its requests issued and the role ids it has handed out."""

    __slots__ = ("sessions", "role_ids")

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self.role_ids: dict[str, str] = {}

    def role_id(self, role_arn: str) -> str:
        """The role's unique id (``AROA...``): stable per role ARN."""
        role_id = self.role_ids.get(role_arn)
        if role_id is None:
            role_id = self.role_ids[role_arn] = stable_id("AROA", role_arn)
        return role_id

    def add(self, session: Session) -> None:
        self.sessions[session.access_key_id] = session
