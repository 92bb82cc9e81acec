"""Who a caller or key is: GetCallerIdentity, GetAccessKeyInfo, DecodeAuthorizationMessage."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from hoarfrost.services.sts import tokens
from hoarfrost.services.sts.errors import errors

if TYPE_CHECKING:
    pass
from hoarfrost.services.sts.handlers import ops
from hoarfrost.services.sts.handlers.common import (
    StsContext,
    caller_identity,
    calling_session,
)


@ops.operation(mutates=False)
def decode_authorization_message(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    """hoarfrost's encoded messages are base64url JSON (``tokens.encode_document``); AWS's own
    are encrypted and cannot be decoded outside AWS."""
    calling_session(ctx)
    document = tokens.decode_document(request["EncodedMessage"])
    if document is None:
        raise errors.InvalidAuthorizationMessageException(
            "The encoded authorization message is invalid or was not issued by this emulator")
    return {"DecodedMessage": json.dumps(document)}


@ops.operation
def get_access_key_info(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    calling_session(ctx)
    return {"Account": ctx.emulator.accounts.account_for(request["AccessKeyId"])}


@ops.operation
def get_caller_identity(ctx: StsContext, request: dict[str, Any]) -> dict[str, Any]:
    identity = caller_identity(ctx)
    return {"UserId": identity.user_id, "Account": identity.account, "Arn": identity.arn}
