"""STS's errors: the model's (``errors.MalformedPolicyDocumentException`` answers
``MalformedPolicyDocument``), and the codes STS sends without declaring them. Every STS error
is a Sender fault.
"""

from __future__ import annotations

from hoarfrost.core.kit.errors import declare, model_errors

errors = model_errors("sts").extended(
    declare("AccessDenied", 403),
    # The request was signed with issued credentials whose Expiration has passed.
    declare("ExpiredToken", 403, "The security token included in the request is expired"),
    # A temporary access key signed without its own session token.
    declare("InvalidClientTokenId", 403),
    declare("InvalidParameterValue", 400),
)
