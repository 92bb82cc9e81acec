"""Server-side encryption: StartStreamEncryption and StopStreamEncryption, and the key check a
write to an encrypted stream makes.

The KMS key is checked through the key port (``emulator.keys``, KMS's own DescribeKey with its
policy), with the caller's credentials: it must exist, be a symmetric encryption key and be
enabled. KMS's refusals become Kinesis's KMS* codes. Record data is kept as written (what
an encrypted stream returns is the plaintext, as in AWS); ``EncryptionType`` is KMS on the
records written while encryption was on."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kms_port import KeyCaller
from hoarfrost.services.kinesis.errors import errors, invalid
from hoarfrost.services.kinesis.handlers import ops
from hoarfrost.services.kinesis.handlers.common import KinesisContext, find_stream
from hoarfrost.services.kinesis.state import Stream


def _translate(error: ServiceError, key_id: str) -> ServiceError:
    code = error.code
    if code == "NotFoundException":
        return errors.KMSNotFoundException(f"Key '{key_id}' does not exist (Service: AWSKMS; Status Code: 400; "
                                           "Error Code: NotFoundException).")
    if code == "DisabledException":
        return errors.KMSDisabledException(f"{error.message} (Service: AWSKMS; Status Code: 400; Error Code: "
                                           "DisabledException).")
    if code == "AccessDeniedException":
        return errors.KMSAccessDeniedException(f"{error.message} (Service: AWSKMS; Status Code: 400; Error Code: "
                                               "AccessDeniedException).")
    return errors.KMSInvalidStateException(f"{error.message} (Service: AWSKMS; Status Code: 400; Error Code: "
                                           f"{code}).")


def check_key(ctx: KinesisContext, key_id: str) -> ServiceError | None:
    """Why ``key_id`` cannot encrypt this stream's records now, or None when it can."""
    try:
        info = ctx.emulator.keys.describe(KeyCaller(ctx.account, ctx.scope.region, ctx.access_key, ctx.after_commit),
                                          key_id)
    except ServiceError as error:
        return _translate(error, key_id)
    if info.state == "Disabled":
        return errors.KMSDisabledException(f"{info.arn} is disabled. (Service: AWSKMS; Status Code: 400; Error Code: "
                                           "DisabledException).")
    if info.state != "Enabled":
        return errors.KMSInvalidStateException(f"{info.arn} is pending {info.state[7:].lower() or 'import'}. "
                                               "(Service: AWSKMS; Status Code: 400; Error Code: "
                                               "KMSInvalidStateException).")
    if info.spec != "SYMMETRIC_DEFAULT" or info.usage != "ENCRYPT_DECRYPT":
        return errors.KMSInvalidStateException(f"{info.arn} is not a symmetric encryption key.")
    return None


def key_problem(ctx: KinesisContext, stream: Stream) -> ServiceError | None:
    """For an encrypted stream, why its key refuses a write now; None when it is fine (or the
    stream is not encrypted)."""
    if stream.encryption_type != "KMS" or stream.key_id is None:
        return None
    return check_key(ctx, stream.key_id)


@ops.operation
def start_stream_encryption(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request)
    if request["EncryptionType"] != "KMS":
        raise invalid(f"Encryption type {request['EncryptionType']} is not supported by StartStreamEncryption.")
    key_id = request["KeyId"]
    problem = check_key(ctx, key_id)
    if problem is not None:
        raise problem
    stream.encryption_type, stream.key_id = "KMS", key_id


@ops.operation
def stop_stream_encryption(ctx: KinesisContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request)
    if request["EncryptionType"] != "KMS":
        raise invalid(f"Encryption type {request['EncryptionType']} is not supported by StopStreamEncryption.")
    stream.encryption_type, stream.key_id = "NONE", None
