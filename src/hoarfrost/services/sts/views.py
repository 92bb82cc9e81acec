"""STS's state view: the credentials one account/region issued, and its role ids."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import Field, field_validator, model_validator

from hoarfrost.core.kit.records import RecordView, record_view
from hoarfrost.core.views import StateView
from hoarfrost.services.sts.state import RoleArn, Session, principal_account

_ACCESS_KEY = re.compile(r"[A-Z0-9]{16,128}")
_ACCOUNT = re.compile(r"\d{12}")


@record_view(Session, key="access_key_id")
class SessionView(RecordView):
    """One set of issued credentials (from AssumeRole, GetSessionToken, GetFederationToken...)
    and the principal they stand for: ``arn`` and ``user_id`` are what GetCallerIdentity
    answers for ``access_key_id``; ``account`` is the account its requests belong to."""

    # The fields are Session's, added after this body: hence check_fields=False.
    @field_validator("access_key_id", check_fields=False)
    @classmethod
    def _key(cls, value: str) -> str:
        if not _ACCESS_KEY.fullmatch(value):
            raise ValueError(f"access_key_id {value!r} is not 16-128 upper-case letters and digits")
        return value

    @field_validator("account", check_fields=False)
    @classmethod
    def _account(cls, value: str) -> str:
        if not _ACCOUNT.fullmatch(value):
            raise ValueError(f"account {value!r} is not 12 digits")
        return value

    @field_validator("expiration", "issued_at", check_fields=False)
    @classmethod
    def _utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SessionView:
        arn_account = principal_account(self.arn)
        if arn_account is None:
            raise ValueError(f"arn {self.arn!r} is not an IAM or STS principal ARN")
        if arn_account != self.account:
            raise ValueError(f"arn {self.arn!r} is not in account {self.account}")
        if self.role_arn is not None and RoleArn.parse(self.role_arn) is None:
            raise ValueError(f"role_arn {self.role_arn!r} is not an IAM role ARN")
        return self


class StsStateView(StateView):
    """STS state of one account/region: the sessions requests in this scope issued, and the
    role ids (role ARN -> ``AROA...``) handed out here.

    Restore replaces both and re-indexes the issued keys, so a client holding a restored key
    is attributed to its session's account. Merge: a session whose ``access_key_id`` exists
    replaces it, others are added; role ids merge by role ARN the same way.
    """

    sessions: list[SessionView] = Field(default_factory=list)
    role_ids: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> StsStateView:
        seen: set[str] = set()
        for session in self.sessions:
            if session.access_key_id in seen:
                raise ValueError(f"access_key_id {session.access_key_id} appears twice")
            seen.add(session.access_key_id)
        for role_arn in self.role_ids:
            if RoleArn.parse(role_arn) is None:
                raise ValueError(f"role_ids key {role_arn!r} is not an IAM role ARN")
        return self
