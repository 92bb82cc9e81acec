"""The account password policy: its defaults, and checking a password against it."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from hoarfrost.services.iam.errors import errors

# What UpdateAccountPasswordPolicy sets for a member it is not given.
POLICY_DEFAULTS: dict[str, Any] = {
    "MinimumPasswordLength": 6, "RequireSymbols": False, "RequireNumbers": False,
    "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
    "AllowUsersToChangePassword": False, "HardExpiry": False,
}
# Without an account policy AWS asks for 8 characters of at least three kinds.
_DEFAULT_LENGTH, _DEFAULT_KINDS = 8, 3
_SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")


def _kinds(password: str) -> dict[str, bool]:
    return {
        "RequireSymbols": any(c in _SYMBOLS for c in password),
        "RequireNumbers": any(c in string.digits for c in password),
        "RequireUppercaseCharacters": any(c in string.ascii_uppercase for c in password),
        "RequireLowercaseCharacters": any(c in string.ascii_lowercase for c in password),
    }


def check_password(policy: Mapping[str, Any] | None, password: str) -> None:
    """PasswordPolicyViolation unless ``password`` satisfies the account policy (or, without
    one, AWS's default)."""
    kinds = _kinds(password)
    if policy is None:
        ok = len(password) >= _DEFAULT_LENGTH and sum(kinds.values()) >= _DEFAULT_KINDS
    else:
        ok = len(password) >= policy.get("MinimumPasswordLength", 6) and all(
            kinds[name] for name in kinds if policy.get(name))
    if not ok:
        raise errors.PasswordPolicyViolationException("Password does not conform to the account password policy.")
