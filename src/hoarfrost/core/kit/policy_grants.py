"""The statements AddPermission writes and RemovePermission deletes (SNS and SQS have both, and
Lambda's AddPermission is the same idea): a Sid'ed Allow granting accounts a list of actions
on one resource, edited inside the resource's stored policy document.

The document stays a plain dict between loading and dumping, so statements the user wrote by
hand (other keys, other forms) survive an edit untouched.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from hoarfrost.core.kit.arn import build_arn, parse_arn


class DuplicateStatement(ValueError):
    """A statement with this Sid is already in the policy; services word their own error."""

    def __init__(self, sid: str) -> None:
        super().__init__(f"Statement {sid} already exists")
        self.sid = sid


def load_document(text: str | None, default: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The document ``text`` holds (a copy of ``default`` when there is none), with its
    Statement always a list."""
    document: dict[str, Any] = json.loads(text) if text else json.loads(json.dumps(default or {}))
    statements = document.get("Statement")
    document["Statement"] = [] if statements is None else statements if isinstance(statements, list) else [statements]
    return document


def dump_document(document: Mapping[str, Any]) -> str:
    """Compact JSON, as SNS and SQS answer a policy they wrote."""
    return json.dumps(document, separators=(",", ":"))


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def grant(document: dict[str, Any], *, sid: str, accounts: Sequence[str], actions: Sequence[str],
          vendor: str, resource: str) -> None:
    """Append the statement AddPermission adds: ``accounts`` (as their root ARNs, in the
    resource's partition) may call ``actions`` (named without or with the ``vendor:`` prefix,
    written with it) on ``resource``. Raises DuplicateStatement when ``sid`` is taken."""
    statements: list[Any] = document["Statement"]
    if any(isinstance(statement, dict) and statement.get("Sid") == sid for statement in statements):
        raise DuplicateStatement(sid)
    partition = parse_arn(resource).partition
    principals = [build_arn("iam", "", account, "root", partition) for account in accounts]
    granted = [f"{vendor}:{action.removeprefix(vendor + ':')}" for action in actions]
    statements.append({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": _one_or_list(principals)},
        "Action": _one_or_list(granted),
        "Resource": resource,
    })


def revoke(document: dict[str, Any], sid: str) -> bool:
    """Remove the statement(s) with ``sid``; False when there was none."""
    statements: list[Any] = document["Statement"]
    kept = [s for s in statements if not (isinstance(s, dict) and s.get("Sid") == sid)]
    document["Statement"] = kept
    return len(kept) != len(statements)
