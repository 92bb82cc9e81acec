"""SecretsManagerStateView: one account/region of Secrets Manager as plain, typed data.

Every secret with every version (values included: a restored emulator must answer the same
GetSecretValue), its staging labels, tags, resource policy, rotation configuration and
schedule, replica statuses, and secrets deleted but still recoverable (``deleted_date`` and
``deletion_date``). Secret values are marked ``sensitive`` in the JSON Schema.

The models come from state.py's records (``core.kit.records``). A secret is keyed by its
name; its ARN follows from the scope and its ``suffix``, so a view restores into any account
or region. A view is refused when a staging label sits on two versions of one secret, a
suffix is not six letters or digits, or a stored policy does not parse.

Merge: a secret whose name exists takes the view's fields and its versions merge by version
id (a version in the view replaces the one with that id, others are kept); secrets not in
the view are kept.
"""

from __future__ import annotations

import re

from pydantic import Field

from hoarfrost.core.kit.policies import PolicyError, parse_policy
from hoarfrost.core.kit.records import RecordView, merge_keyed, record_view
from hoarfrost.core.views import StateView, StateViewError
from hoarfrost.services.secretsmanager.state import (
    ReplicaStatus,
    RotationRules,
    Secret,
    SecretsBackend,
    SecretVersion,
)

_SUFFIX = re.compile(r"[A-Za-z0-9]{6}")
_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}")


@record_view(SecretVersion, key="version_id")
class SecretVersionView(RecordView):
    """One version of a secret: its value and the staging labels on it (none: deprecated)."""

    secret_string: str | None = Field(default=None, json_schema_extra={"sensitive": True})
    secret_binary: bytes | None = Field(default=None, json_schema_extra={"sensitive": True})


@record_view(ReplicaStatus)
class ReplicaStatusView(RecordView):
    """A region the secret replicates to, and how that went."""


@record_view(RotationRules)
class RotationRulesView(RecordView):
    """RotateSecret's schedule: AutomaticallyAfterDays or a rate()/cron() expression."""


@record_view(Secret, key="name")
class SecretView(RecordView):
    """One secret. ``suffix`` is the six characters AWS appended to its ARN; ``deleted_date``
    and ``deletion_date`` are set while it waits out its recovery window; ``primary_region`` is
    set on a replica, ``replicas`` on a primary."""


class SecretsManagerStateView(StateView):
    """Secrets Manager in one account/region: secrets in creation order (see the module doc)."""

    secrets: list[SecretView] = Field(default_factory=list)


def to_view(backend: SecretsBackend) -> SecretsManagerStateView:
    return SecretsManagerStateView(secrets=[SecretView.of(secret) for secret in backend.secrets.values()])


def _invalid(message: str) -> StateViewError:
    return StateViewError("invalid", f"secretsmanager: {message}")


def _check(view: SecretView) -> None:
    name = view.name
    if not _NAME.fullmatch(name):
        raise _invalid(f"secret name {name!r} is not a valid name")
    if not _SUFFIX.fullmatch(view.suffix):
        raise _invalid(f"secret {name!r}: suffix {view.suffix!r} must be six letters or digits")
    seen: dict[str, str] = {}
    for version in view.versions:
        if version.secret_string is not None and version.secret_binary is not None:
            raise _invalid(f"secret {name!r} version {version.version_id!r} has both a string and a binary value")
        for stage in version.stages:
            if stage in seen:
                raise _invalid(f"secret {name!r}: staging label {stage!r} is on versions {seen[stage]!r} "
                               f"and {version.version_id!r}")
            seen[stage] = version.version_id
    if (view.deleted_date is None) != (view.deletion_date is None):
        raise _invalid(f"secret {name!r}: deleted_date and deletion_date go together")
    if view.resource_policy is not None:
        try:
            parse_policy(view.resource_policy)
        except PolicyError as exc:
            raise _invalid(f"secret {name!r}: resource_policy: {exc.message}") from exc


def from_view(view: SecretsManagerStateView, account: str, region: str) -> SecretsBackend:
    backend = SecretsBackend(account, region)
    for secret_view in view.secrets:
        _check(secret_view)
        if secret_view.name in backend.secrets:
            raise _invalid(f"secret {secret_view.name!r} appears twice")
        backend.secrets[secret_view.name] = secret_view.to_record()
    backend.index()
    return backend


def merge(target: SecretsBackend, source: SecretsBackend) -> None:
    merge_keyed(target.secrets, source.secrets, SecretView.merge)
    target.index()
