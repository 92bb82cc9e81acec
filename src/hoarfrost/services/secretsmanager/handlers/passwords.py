"""GetRandomPassword with every option, from the operating system's random source."""

from __future__ import annotations

import secrets as random
import string
from typing import Any

from hoarfrost.services.secretsmanager.errors import invalid_parameter
from hoarfrost.services.secretsmanager.handlers import ops
from hoarfrost.services.secretsmanager.handlers.common import SmContext

PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
DEFAULT_LENGTH = 32


def generate(request: dict[str, Any]) -> str:
    """A password as GetRandomPassword's request asks for it."""
    length = request.get("PasswordLength") or DEFAULT_LENGTH
    excluded = set(request.get("ExcludeCharacters") or "")
    classes = []
    for flag, alphabet in (("ExcludeLowercase", string.ascii_lowercase), ("ExcludeUppercase", string.ascii_uppercase),
                           ("ExcludeNumbers", string.digits), ("ExcludePunctuation", PUNCTUATION)):
        if not request.get(flag):
            kept = "".join(c for c in alphabet if c not in excluded)
            if kept:
                classes.append(kept)
    pool = "".join(classes)
    if request.get("IncludeSpace") and " " not in excluded:
        pool += " "
    if not pool:
        raise invalid_parameter("The password can't be generated: every character type was excluded.")
    require = request.get("RequireEachIncludedType", True)
    if require and length < len(classes):
        raise invalid_parameter(
            f"The password length is too short to include one character of each of the {len(classes)} "
            "included types.")
    chars = [random.choice(cls) for cls in classes] if require else []
    chars += [random.choice(pool) for _ in range(length - len(chars))]
    random.SystemRandom().shuffle(chars)
    return "".join(chars)


@ops.operation
def get_random_password(ctx: SmContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"RandomPassword": generate(request)}
