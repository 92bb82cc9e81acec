"""How a schedule invokes its target: templated targets (a resource ARN: an SQS queue, an SNS
topic, a Lambda function, an event bus, a Kinesis or Firehose stream, a state machine) and
universal targets (``arn:aws:scheduler:::aws-sdk:<service>:<apiAction>``, any API called with
the schedule's ``Input`` as its parameters).

Every call goes through the emulator's ports (``emulator.deliver`` for SQS, ``emulator.call``
for the rest) as the schedule's account, holding no lock. A failure becomes a ``TargetError``
that says whether Scheduler would retry it (throttling and server faults) or give up at once
(a target that does not exist, a request it refuses).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hoarfrost.core import catalog
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kit.arn import Arn, try_parse_arn
from hoarfrost.core.ports import Message

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

UNIVERSAL_PREFIX = "arn:aws:scheduler:::aws-sdk:"

# SDK service names universal targets use where botocore's differ.
_SDK_ALIASES = {
    "sfn": "stepfunctions", "cloudwatchlogs": "logs", "eventbridge": "events", "cloudwatchevents": "events",
    "elasticloadbalancingv2": "elbv2", "elasticloadbalancing": "elb",
    "applicationautoscaling": "application-autoscaling",
}
# Universal targets may not call read-only actions (AWS's list of refused prefixes).
_READ_ONLY_PREFIXES = (
    "get", "describe", "list", "poll", "receive", "search", "scan", "query", "select", "read", "lookup",
    "discover", "validate", "batchget", "batchdescribe", "batchread", "transactget", "adminget", "adminlist",
    "testmigration", "retrieve", "testconnection", "translatedocument", "isauthorized", "invokemodel",
)
_RETRYABLE_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
    "RequestLimitExceeded", "ServiceUnavailable", "ServiceUnavailableException", "InternalError",
    "InternalFailure", "InternalServerError", "InternalServerException", "ProvisionedThroughputExceededException",
})


class TargetError(Exception):
    """An invocation failed: ``code`` and ``message`` as the target answered them."""

    def __init__(self, code: str, message: str, *, retryable: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class Invocation:
    """One invocation of a schedule's target, fixed when it fell due (a retry sends the same)."""

    account: str
    region: str
    schedule_arn: str
    target: dict[str, Any]
    scheduled_time: float
    execution_id: str

    @property
    def scheduled_text(self) -> str:
        import datetime as dt

        return dt.datetime.fromtimestamp(self.scheduled_time, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def body(self, attempt: int, default: str | None = "{}") -> str | None:
        """The target's Input with Scheduler's context attributes filled in (what the target
        receives), ``default`` when the schedule has none."""
        text: str | None = self.target.get("Input")
        if text is None:
            return default
        for name, value in (("schedule-arn", self.schedule_arn), ("scheduled-time", self.scheduled_text),
                            ("execution-id", self.execution_id), ("attempt-number", str(attempt))):
            text = text.replace(f"<aws.scheduler.{name}>", value)
        return text


# -- checking a target when a schedule is written --------------------------------------------
def universal_operation(arn: str) -> tuple[str, str] | None:
    """(botocore service, operation) a universal target's ARN names; None for a templated
    target. Raises ValueError with the reason when the ARN is a universal one it cannot call."""
    if not arn.startswith(UNIVERSAL_PREFIX):
        return None
    service, _, action = arn[len(UNIVERSAL_PREFIX):].partition(":")
    if not service or not action or ":" in action:
        raise ValueError(f"Invalid universal target {arn}.")
    if action.lower().startswith(_READ_ONLY_PREFIXES):
        raise ValueError(f"Unsupported action {action} for universal target {arn}: "
                         "read-only actions cannot be scheduled.")
    name = _SDK_ALIASES.get(service, service)
    if name not in catalog.available_services():
        raise ValueError(f"Unsupported service {service} for universal target {arn}.")
    operation = action[:1].upper() + action[1:]
    if operation not in catalog.service_model(name).operation_names:
        raise ValueError(f"Unsupported action {action} for service {service} in universal target {arn}.")
    return name, operation


def check_target(target: dict[str, Any]) -> None:
    """What CreateSchedule refuses about a target beyond the model's constraints; raises
    ValueError with AWS-style wording."""
    arn = target["Arn"]
    universal = universal_operation(arn)
    text = target.get("Input")
    if universal is not None:
        try:
            params = json.loads(text) if text is not None else {}
        except ValueError:
            raise ValueError("Input must be a valid JSON object for a universal target.") from None
        if not isinstance(params, dict):
            raise ValueError("Input must be a valid JSON object for a universal target.")
        return
    parsed = try_parse_arn(arn)
    if parsed is None:
        raise ValueError(f"Invalid target ARN {arn}.")
    if parsed.service == "events" and "EventBridgeParameters" in target and text is not None:
        try:
            detail = json.loads(text)
        except ValueError:
            detail = None
        if not isinstance(detail, dict):
            raise ValueError("Input must be a JSON object for an EventBridge target (it is the event's detail).")


# -- invoking ---------------------------------------------------------------------------------
def invoke(emulator: Emulator, invocation: Invocation, attempt: int) -> None:
    """Invoke the target once; raises ``TargetError`` when it fails."""
    from hoarfrost.core.emulator import InternalCallError

    target = invocation.target
    try:
        universal = universal_operation(target["Arn"])
        if universal is not None:
            params = json.loads(invocation.body(attempt) or "{}")
            emulator.call(universal[0], universal[1], params, account=invocation.account, region=invocation.region)
            return
        arn = try_parse_arn(target["Arn"])
        send = _TEMPLATED.get(arn.service) if arn is not None else None
        if arn is None or send is None:
            raise TargetError("ValidationException", f"Unsupported target {target['Arn']}.", retryable=False)
        send(emulator, invocation, arn, attempt)
    except InternalCallError as exc:
        raise TargetError(exc.code, exc.message, retryable=_retryable(exc.code, exc.status)) from exc
    except ServiceError as exc:
        raise TargetError(exc.code, exc.message, retryable=_retryable(exc.code, exc.status or 400)) from exc
    except ValueError as exc:  # an Input that is not the JSON a target needs
        raise TargetError("ValidationException", str(exc), retryable=False) from exc


def _retryable(code: str, status: int) -> bool:
    return status >= 500 or status == 429 or code in _RETRYABLE_CODES


def _sqs(emulator: Emulator, invocation: Invocation, arn: Arn, attempt: int) -> None:
    group = (invocation.target.get("SqsParameters") or {}).get("MessageGroupId")
    fifo = arn.resource.endswith(".fifo")
    emulator.deliver(invocation.target["Arn"], Message(
        body=invocation.body(attempt) or "{}", group_id=group,
        deduplication_id=invocation.execution_id if fifo else None,
        source_arn=invocation.schedule_arn, sender=invocation.account))


def _sns(emulator: Emulator, invocation: Invocation, arn: Arn, attempt: int) -> None:
    emulator.call("sns", "Publish", {"TopicArn": invocation.target["Arn"], "Message": invocation.body(attempt)},
                  account=invocation.account, region=arn.region)


def _lambda(emulator: Emulator, invocation: Invocation, arn: Arn, attempt: int) -> None:
    emulator.call("lambda", "Invoke", {"FunctionName": invocation.target["Arn"], "InvocationType": "Event",
                                       "Payload": invocation.body(attempt)},
                  account=invocation.account, region=arn.region)


def _events(emulator: Emulator, invocation: Invocation, arn: Arn, attempt: int) -> None:
    target = invocation.target
    parameters = target.get("EventBridgeParameters") or target.get("EventBridgePutEventsV2Parameters") or {}
    entry = {"Source": parameters.get("Source", "aws.scheduler"),
             "DetailType": parameters.get("DetailType", "Scheduled Event"),
             "Detail": invocation.body(attempt), "EventBusName": target["Arn"], "Resources": [invocation.schedule_arn]}
    output = emulator.call("events", "PutEvents", {"Entries": [entry]}, account=invocation.account, region=arn.region)
    if output.get("FailedEntryCount"):
        failed = output.get("Entries", [{}])[0]
        code = str(failed.get("ErrorCode") or "InternalException")
        raise TargetError(code, str(failed.get("ErrorMessage") or ""), retryable=code in _RETRYABLE_CODES)


def _kinesis(emulator: Emulator, invocation: Invocation, arn: Arn, attempt: int) -> None:
    key = (invocation.target.get("KinesisParameters") or {}).get("PartitionKey") or invocation.execution_id
    emulator.call("kinesis", "PutRecord", {"StreamName": arn.resource.partition("/")[2],
                                           "Data": (invocation.body(attempt) or "").encode("utf-8"),
                                           "PartitionKey": key},
                  account=invocation.account, region=arn.region)


def _firehose(emulator: Emulator, invocation: Invocation, arn: Arn, attempt: int) -> None:
    emulator.call("firehose", "PutRecord", {"DeliveryStreamName": arn.resource.partition("/")[2],
                                            "Record": {"Data": (invocation.body(attempt) or "").encode("utf-8")}},
                  account=invocation.account, region=arn.region)


def _states(emulator: Emulator, invocation: Invocation, arn: Arn, attempt: int) -> None:
    emulator.call("stepfunctions", "StartExecution", {"stateMachineArn": invocation.target["Arn"],
                                                      "input": invocation.body(attempt)},
                  account=invocation.account, region=arn.region)


_TEMPLATED: dict[str, Callable[[Emulator, Invocation, Arn, int], None]] = {
    "sqs": _sqs, "sns": _sns, "lambda": _lambda, "events": _events, "kinesis": _kinesis,
    "firehose": _firehose, "states": _states,
}


def dead_letter(emulator: Emulator, invocation: Invocation, error: TargetError, attempts: int,
                exhausted: str | None) -> None:
    """Send the failed invocation to the target's dead-letter queue, with the attributes AWS
    sets, when it has one. The body is what the target would have received."""
    queue = (invocation.target.get("DeadLetterConfig") or {}).get("Arn")
    if not queue:
        return
    values = {
        "ERROR_CODE": error.code, "ERROR_MESSAGE": error.message[:1024] or error.code,
        "EXECUTION_ID": invocation.execution_id, "IS_PAYLOAD_TRUNCATED": "false",
        "RETRY_ATTEMPTS": str(attempts - 1), "SCHEDULED_TIME": invocation.scheduled_text,
        "SCHEDULE_ARN": invocation.schedule_arn, "TARGET_ARN": invocation.target["Arn"],
    }
    if exhausted is not None:
        values["EXHAUSTED_RETRY_CONDITION"] = exhausted
    attributes = {name: {"DataType": "String", "StringValue": value} for name, value in values.items()}
    emulator.deliver(queue, Message(body=invocation.body(attempts) or "{}", attributes=attributes,
                                    source_arn=invocation.schedule_arn, sender=invocation.account))
