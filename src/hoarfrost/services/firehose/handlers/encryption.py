"""Server-side encryption of a DirectPut stream's buffered data: StartDeliveryStreamEncryption
and StopDeliveryStreamEncryption. A customer managed key is checked through the key port
(KMS's DescribeKey with the caller's credentials): it must exist, be enabled and be a
symmetric encryption key, else InvalidKMSResourceException. Status goes straight to ENABLED
or DISABLED (AWS passes through ENABLING / DISABLING)."""

from __future__ import annotations

from typing import Any

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kms_port import KeyCaller
from hoarfrost.services.firehose.errors import errors, invalid
from hoarfrost.services.firehose.handlers import ops
from hoarfrost.services.firehose.handlers.common import FirehoseContext, find_stream


def encryption_settings(ctx: FirehoseContext, given: dict[str, Any]) -> dict[str, str]:
    """The stream's encryption configuration for a DeliveryStreamEncryptionConfigurationInput."""
    key_type = given["KeyType"]
    key_arn = given.get("KeyARN")
    if key_type == "AWS_OWNED_CMK":
        if key_arn is not None:
            raise invalid("KeyARN must not be specified when KeyType is AWS_OWNED_CMK.")
        return {"Status": "ENABLED", "KeyType": key_type}
    if key_arn is None:
        raise invalid("KeyARN must be specified when KeyType is CUSTOMER_MANAGED_CMK.")
    caller = KeyCaller(ctx.account, ctx.scope.region, ctx.access_key, ctx.after_commit)
    try:
        info = ctx.emulator.keys.describe(caller, key_arn)
    except ServiceError as error:
        raise errors.InvalidKMSResourceException(error.message, code=error.code) from None
    if info.state != "Enabled" or info.spec != "SYMMETRIC_DEFAULT" or info.usage != "ENCRYPT_DECRYPT":
        raise errors.InvalidKMSResourceException(f"Key {info.arn} is not an enabled symmetric encryption key.")
    return {"Status": "ENABLED", "KeyType": key_type, "KeyARN": info.arn}


@ops.operation
def start_delivery_stream_encryption(ctx: FirehoseContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request["DeliveryStreamName"])
    if stream.stream_type != "DirectPut":
        raise invalid(f"Server-side encryption is not supported for a {stream.stream_type} delivery stream.")
    stream.encryption = encryption_settings(
        ctx, request.get("DeliveryStreamEncryptionConfigurationInput") or {"KeyType": "AWS_OWNED_CMK"})


@ops.operation
def stop_delivery_stream_encryption(ctx: FirehoseContext, request: dict[str, Any]) -> None:
    stream = find_stream(ctx, request["DeliveryStreamName"])
    if stream.stream_type != "DirectPut":
        raise invalid(f"Server-side encryption is not supported for a {stream.stream_type} delivery stream.")
    stream.encryption = {"Status": "DISABLED"}
