"""SecureString values encrypted as Parameter Store encrypts them: with KMS (``emulator.keys``,
the key port in core), under the parameter's key (``KeyId``, else the AWS managed
``alias/aws/ssm``, which KMS makes on first use) and the encryption context
``{"PARAMETER_ARN": <the parameter's ARN>}``.

The stored value is the KMS ciphertext in base64, which is what GetParameter answers with
``WithDecryption=false``; KMS's Decrypt accepts it (with that context) outside Parameter Store
too. Reading with decryption asks KMS, so a disabled or missing key fails the read. KMS's
errors reach the caller as Parameter Store sends them: ``InvalidKeyId`` (or
``AccessDeniedException``) carrying KMS's message and the KMS error code in AWS's
"(Service: AWSKMS; ...)" wording. The port is called with the scope lock held (see
``core.kms_port`` for why that lock order is safe).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kms_port import KeyCaller
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.ssm.errors import errors
from hoarfrost.services.ssm.state import ParameterVersion, SsmBackend

DEFAULT_KEY = "alias/aws/ssm"

Context = RequestContext[SsmBackend, Any]


def caller(ctx: Context) -> KeyCaller:
    return KeyCaller(ctx.account, ctx.scope.region, ctx.access_key, ctx.after_commit)


def _from_kms(error: ServiceError) -> ServiceError:
    """KMS's error as Parameter Store passes it on."""
    text = (f"{error.message} (Service: AWSKMS; Status Code: {error.status or 400}; Error Code: {error.code}; "
            f"Request ID: {uuid.uuid4()}; Proxy: null)")
    if error.code == "AccessDeniedException":
        return errors.AccessDeniedException(text)
    return errors.InvalidKeyId(text)


def context_of(ctx: Context, name: str) -> dict[str, str]:
    return {"PARAMETER_ARN": ctx.state.arn_of(name)}


def encrypt(ctx: Context, name: str, key_id: str | None, plaintext: str) -> str:
    """``plaintext`` encrypted under ``key_id`` (the AWS managed key by default), in base64."""
    try:
        sealed = ctx.emulator.keys.encrypt(caller(ctx), key_id or DEFAULT_KEY, plaintext.encode(),
                                           context_of(ctx, name))
    except ServiceError as error:
        raise _from_kms(error) from None
    return base64.b64encode(sealed.ciphertext).decode("ascii")


def _foreign_key(ctx: Context, key_id: str | None) -> str | None:
    """The KeyId Decrypt needs: another account's key named by ARN (KMS finds a key of the
    parameter's own account and region from the ciphertext itself)."""
    arn = try_parse_arn(key_id) if key_id and key_id.startswith("arn:") else None
    return key_id if arn is not None and arn.account != ctx.scope.account else None


def decrypt(ctx: Context, name: str, version: ParameterVersion) -> str:
    """A SecureString version's plain value, decrypted through KMS."""
    if not version.encrypted:
        return version.value
    try:
        blob = base64.b64decode(version.value, validate=True)
    except (binascii.Error, ValueError):
        raise errors.InvalidKeyId("The ciphertext of this parameter is not valid.") from None
    try:
        return ctx.emulator.keys.decrypt(caller(ctx), blob, context_of(ctx, name),
                                         _foreign_key(ctx, version.key_id)).plaintext.decode()
    except ServiceError as error:
        raise _from_kms(error) from None


def shown(ctx: Context, name: str, version: ParameterVersion, decrypted: bool) -> str:
    """The value a read answers: a SecureString's ciphertext unless decryption was asked for."""
    if version.type != "SecureString":
        return version.value
    if decrypted:
        return decrypt(ctx, name, version)
    if version.encrypted:
        return version.value
    return encrypt(ctx, name, version.key_id, version.value)  # given in plain text by a view
