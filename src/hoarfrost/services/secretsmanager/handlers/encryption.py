"""Secret values encrypted as Secrets Manager encrypts them: envelope encryption through
hoarfrost's KMS (``emulator.keys``, the key port in core).

Each new version asks KMS for a 256-bit data key under the secret's KMS key (its ``KmsKeyId``,
else the AWS managed ``alias/aws/secretsmanager``, which KMS makes on first use) with the
encryption context AWS uses, ``SecretARN`` and ``SecretVersionId``; the value is sealed with
AES-GCM under that data key and only the data key's KMS ciphertext is kept. Reading a value
asks KMS to decrypt the data key, so a disabled, pending-deletion or missing key makes
GetSecretValue fail with DecryptionFailure, as in AWS.

KMS's errors become Secrets Manager's: AccessDeniedException ("Access to KMS is not allowed"),
EncryptionFailure when writing and DecryptionFailure when reading, with the wording of
Secrets Manager's model for those two. The port is called with the scope lock held (see
``core.kms_port`` for why the lock order is safe).
"""

from __future__ import annotations

import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.arn import build_arn, try_parse_arn
from hoarfrost.core.kms_port import KeyCaller
from hoarfrost.core.operations import RequestContext
from hoarfrost.services.secretsmanager.errors import errors
from hoarfrost.services.secretsmanager.state import Secret, SecretsBackend, SecretVersion

DEFAULT_KEY = "alias/aws/secretsmanager"
NONCE_BYTES = 12
ENCRYPTION_FAILURE = ("Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check "
                      "that the KMS key is available, enabled, and not in an invalid state. For more information, "
                      "see Key state: Effect on your KMS key.")
DECRYPTION_FAILURE = "Secrets Manager can't decrypt the protected secret text using the provided KMS key."
KMS_DENIED = "Access to KMS is not allowed"
CROSS_ACCOUNT_DEFAULT = ("You can't access a secret from a different AWS account if you encrypt the secret with the "
                         "default KMS service key.")

Context = RequestContext[SecretsBackend, Any]


def caller(ctx: Context, region: str | None = None) -> KeyCaller:
    """KMS is used with the caller's credentials, in the secret's region (a replica's for its
    copy); KMS's own after-commit work waits for this request's lock to be released."""
    return KeyCaller(ctx.account, region or ctx.scope.region, ctx.access_key, ctx.after_commit)


def _translate(error: ServiceError, failure: type[ServiceError], message: str) -> ServiceError:
    if error.code == "AccessDeniedException":
        return errors.AccessDeniedException(KMS_DENIED)
    return failure(message)


def _encryption_failure(error: ServiceError) -> ServiceError:
    return _translate(error, errors.EncryptionFailure, ENCRYPTION_FAILURE)


def _decryption_failure(error: ServiceError) -> ServiceError:
    return _translate(error, errors.DecryptionFailure, DECRYPTION_FAILURE)


def key_of(secret: Secret) -> str:
    return secret.kms_key_id or DEFAULT_KEY


def _no_default_across_accounts(ctx: Context, key_id: str) -> None:
    if ctx.account != ctx.scope.account and key_id == DEFAULT_KEY:
        # The AWS managed key's policy admits its own account only.
        raise errors.InvalidRequestException(CROSS_ACCOUNT_DEFAULT)


def check_key(ctx: Context, key_id: str) -> None:
    """``key_id`` can encrypt secrets now (asked when no value is encrypted yet): it exists and
    is an enabled symmetric encryption key."""
    _no_default_across_accounts(ctx, key_id)
    try:
        info = ctx.emulator.keys.describe(caller(ctx), key_id)
    except ServiceError as error:
        raise _encryption_failure(error) from None
    if info.state != "Enabled" or info.spec != "SYMMETRIC_DEFAULT" or info.usage != "ENCRYPT_DECRYPT":
        raise errors.EncryptionFailure(ENCRYPTION_FAILURE)


def seal(ctx: Context, secret: Secret, version: SecretVersion, string: str | None, binary: bytes | None,
         key_id: str | None = None, region: str | None = None) -> None:
    """Encrypt ``version``'s value under ``key_id`` (the secret's key by default), a key of
    ``region`` (the request's scope by default) when not named by ARN. ``secret.arn`` must be
    set. Raises EncryptionFailure (nothing changed) when KMS refuses."""
    chosen = key_id or key_of(secret)
    _no_default_across_accounts(ctx, chosen)
    context = {"SecretARN": secret.arn, "SecretVersionId": version.version_id}
    try:
        data_key = ctx.emulator.keys.generate_data_key(caller(ctx, region), chosen, context)
    except ServiceError as error:
        raise _encryption_failure(error) from None
    plaintext = binary if binary is not None else (string or "").encode()
    nonce = os.urandom(NONCE_BYTES)
    version.sealed = nonce + AESGCM(data_key.plaintext).encrypt(nonce, plaintext, version.version_id.encode())
    version.data_key, version.key_arn = data_key.ciphertext, data_key.key_arn
    version.encryption_arn, version.sealed_binary = secret.arn, binary is not None
    version.opened = (data_key.ciphertext, data_key.plaintext, data_key.key_arn)
    version.secret_string = version.secret_binary = None


def _key_for(secret: Secret, version: SecretVersion) -> str | None:
    """The KMS key that sealed ``version``. A key that lived beside the secret (the account and
    region of the secret's ARN when sealed) is looked for beside it now, so a secret whose view
    was restored into another account or region, with KMS's, still finds its key."""
    key = try_parse_arn(version.key_arn or "")
    sealed_for = try_parse_arn(version.encryption_arn or "")
    now = try_parse_arn(secret.arn)
    if key is None or sealed_for is None or now is None:
        return version.key_arn
    if (key.account, key.region) == (sealed_for.account, sealed_for.region):
        return build_arn("kms", now.region, now.account, key.resource)
    return version.key_arn


def value_of(ctx: Context, secret: Secret, version: SecretVersion) -> tuple[str | None, bytes | None]:
    """``version``'s value as (SecretString, SecretBinary), decrypted through KMS. Raises
    DecryptionFailure when KMS cannot decrypt it (key disabled, pending deletion, gone)."""
    if version.sealed is None or version.data_key is None:
        return version.secret_string, version.secret_binary  # given in plain text by a view
    context = {"SecretARN": version.encryption_arn or secret.arn, "SecretVersionId": version.version_id}
    try:
        opened = version.opened
        keys, who = ctx.emulator.keys, caller(ctx)
        if opened is not None and opened[0] is version.data_key and keys.may_decrypt(who, opened[2]):
            key = opened[1]
        else:
            key_arn = _key_for(secret, version)
            decrypted = keys.decrypt(who, version.data_key, context, key_arn)
            key = decrypted.plaintext
            version.opened = (version.data_key, key, decrypted.key_arn)
        plaintext = AESGCM(key).decrypt(version.sealed[:NONCE_BYTES], version.sealed[NONCE_BYTES:],
                                                       version.version_id.encode())
    except ServiceError as error:
        raise _decryption_failure(error) from None
    except (InvalidTag, ValueError):
        raise errors.DecryptionFailure(DECRYPTION_FAILURE) from None
    if version.sealed_binary:
        return None, plaintext
    return plaintext.decode(), None


def copy_to(ctx: Context, secret: Secret, replica: Secret, region: str, key_id: str | None) -> None:
    """Encrypt ``replica``'s versions (a copy of ``secret``'s, ARN set) again under ``key_id`` in
    the replica's ``region`` (that region's AWS managed key by default), as AWS encrypts a
    replica with a key of its own region. Raises the failure when a value cannot move."""
    for version_id, version in replica.versions.items():
        if not version.is_sealed:
            continue
        string, binary = value_of(ctx, secret, secret.versions[version_id])
        seal(ctx, replica, version, string, binary, key_id or DEFAULT_KEY, region)
        version.kms_key_ids = [key_id or "DEFAULT"]


def reseal(ctx: Context, secret: Secret, key_id: str) -> None:
    """UpdateSecret with a new KmsKeyId: the versions labelled AWSCURRENT, AWSPENDING or
    AWSPREVIOUS are encrypted again under the new key (a version the old key can no longer
    decrypt keeps its old encryption, as AWS leaves it). The new key must be usable."""
    labelled = [v for v in secret.versions.values() if {"AWSCURRENT", "AWSPENDING", "AWSPREVIOUS"} & set(v.stages)]
    if not any(v.is_sealed for v in labelled):
        check_key(ctx, key_id)
        return
    renewals: list[tuple[SecretVersion, SecretVersion]] = []
    for version in labelled:
        if not version.is_sealed:
            continue
        try:
            string, binary = value_of(ctx, secret, version)
        except ServiceError:
            continue
        renewed = SecretVersion(version_id=version.version_id, created=version.created)
        seal(ctx, secret, renewed, string, binary, key_id)
        renewals.append((version, renewed))
    for version, renewed in renewals:  # only once every one succeeded: a failure changes nothing
        version.sealed, version.data_key, version.key_arn = renewed.sealed, renewed.data_key, renewed.key_arn
        version.opened = renewed.opened
        version.encryption_arn, version.sealed_binary = renewed.encryption_arn, renewed.sealed_binary
        version.kms_key_ids = [key_id]
