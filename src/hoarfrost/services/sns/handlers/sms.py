"""SMS settings: account SMS attributes, opt-outs, the SMS sandbox, origination numbers.

Everything is stored and returned; the one-time passwords the sandbox "texts" are recorded
in ``sent_messages`` so a test can read them and verify the number.
"""

from __future__ import annotations

import secrets
import uuid
from operator import attrgetter
from typing import Any

from hoarfrost.core.kit.paging import paginate
from hoarfrost.services.sns.errors import (
    errors,
    invalid,
)
from hoarfrost.services.sns.handlers import ops
from hoarfrost.services.sns.handlers.common import (
    PAGE_SIZE,
    SnsContext,
    token_error,
    valid_phone,
)
from hoarfrost.services.sns.state import SandboxPhoneNumber, SentMessage, SnsBackend

SMS_TYPES = ("Promotional", "Transactional")
ORIGINATION_PAGE_SIZE = 30
_BY_NUMBER = attrgetter("phone_number")


def _phone(number: str, member: str = "PhoneNumber") -> str:
    if not valid_phone(number):
        raise invalid(f"{member} Reason: input incorrectly formatted")
    return number


@ops.operation
def set_sms_attributes(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    attributes = dict(request["attributes"])
    sms_type = attributes.get("DefaultSMSType")
    if sms_type is not None and sms_type not in SMS_TYPES:
        raise invalid(f"DefaultSMSType Reason: {sms_type} is not a valid SMS type")
    ctx.state.sms_attributes.update(attributes)
    return {}


@ops.operation
def get_sms_attributes(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    stored: dict[str, str] = ctx.state.sms_attributes
    wanted = request.get("attributes")
    if not wanted:
        return {"attributes": dict(stored)}
    return {"attributes": {name: stored[name] for name in wanted if name in stored}}


@ops.operation(mutates=False)
def check_if_phone_number_is_opted_out(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"isOptedOut": _phone(request["phoneNumber"], "phoneNumber") in ctx.state.opted_out}


@ops.operation
def list_phone_numbers_opted_out(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    page = paginate(sorted(ctx.state.opted_out), request.get("nextToken"), PAGE_SIZE,
                    kind="sns:ListPhoneNumbersOptedOut", key=str, error=token_error("nextToken"))
    return {"phoneNumbers": page.items, **page.token_member("nextToken")}


@ops.operation
def opt_in_phone_number(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    ctx.state.opted_out.pop(_phone(request["phoneNumber"], "phoneNumber"), None)
    return {}


# -- the SMS sandbox -------------------------------------------------------------------------
@ops.operation
def get_sms_sandbox_account_status(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    return {"IsInSandbox": bool(ctx.state.in_sms_sandbox)}


@ops.operation
def create_sms_sandbox_phone_number(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    backend: SnsBackend = ctx.state
    number = _phone(request["PhoneNumber"])
    password = f"{secrets.randbelow(1_000_000):06d}"
    entry = backend.sandbox_numbers.get(number)
    if entry is None or entry.status != "Verified":
        entry = SandboxPhoneNumber(number, "Pending", request.get("LanguageCode") or "en-US", password)
        backend.sandbox_numbers[number] = entry
    backend.record(SentMessage(
        message_id=str(uuid.uuid4()), kind="OneTimePassword", protocol="sms", endpoint=number,
        body=f"Your Amazon SNS verification code is: {password}", timestamp=ctx.clock.time(),
    ))
    return {}


@ops.operation
def verify_sms_sandbox_phone_number(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    entry = ctx.state.sandbox_numbers.get(request["PhoneNumber"])
    if entry is None:
        raise errors.ResourceNotFoundException("Can not find the phone number in the SMS sandbox")
    if entry.status != "Verified":
        if request["OneTimePassword"] != entry.one_time_password:
            raise errors.VerificationException("Invalid one-time password", Status="Pending")
        entry.status = "Verified"
        entry.one_time_password = None
    return {}


@ops.operation
def delete_sms_sandbox_phone_number(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    if ctx.state.sandbox_numbers.pop(request["PhoneNumber"], None) is None:
        raise errors.ResourceNotFoundException("Can not find the phone number in the SMS sandbox")
    return {}


@ops.operation
def list_sms_sandbox_phone_numbers(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    entries = sorted(ctx.state.sandbox_numbers.values(), key=_BY_NUMBER)
    page = paginate(entries, request.get("NextToken"), request.get("MaxResults") or PAGE_SIZE,
                    kind="sns:ListSMSSandboxPhoneNumbers", key=_BY_NUMBER, error=token_error())
    return {"PhoneNumbers": [{"PhoneNumber": e.phone_number, "Status": e.status} for e in page.items],
            **page.token_member()}


@ops.operation
def list_origination_numbers(ctx: SnsContext, request: dict[str, Any]) -> dict[str, Any]:
    numbers = sorted(ctx.state.origination_numbers)
    page = paginate(numbers, request.get("NextToken"), request.get("MaxResults") or ORIGINATION_PAGE_SIZE,
                    kind="sns:ListOriginationNumbers", key=str, error=token_error())
    return {"PhoneNumbers": [dict(ctx.state.origination_numbers[number]) for number in page.items],
            **page.token_member()}
