"""The Lambda service's execution side, one per Emulator: its worker pool, its queue of
asynchronous invocations, the environment a worker gets, and the delivery of each
invocation's log to CloudWatch Logs (through the emulator's delivery port)."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import build_arn
from hoarfrost.core.ports import Message, MetricDatum, log_events_message

from .events import EventQueue
from .invocation import Outcome, run
from .retry_schedule import RetrySchedule
from .workers import WorkerPool, WorkerSpec

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator

log = logging.getLogger("hoarfrost.lambda")

# How long a worker's role credentials last (STS's ceiling for a role session).
CREDENTIAL_SECONDS = 43_200

# AWS waits a minute before the second attempt of a failed asynchronous invocation, and two
# minutes before the third.
RETRY_DELAYS = (60.0, 120.0)
# A throttled asynchronous invocation is retried after 1, 2, 4... seconds, at most 5 minutes apart.
THROTTLE_BACKOFF_MAX = 300.0
DEFAULT_EVENT_AGE = 21_600


@dataclass(frozen=True)
class Invocation:
    """One invocation as the handler prepared it under its lock: no state is read after."""

    spec: WorkerSpec
    account: str
    region: str
    event: str
    request_id: str
    invoked_arn: str
    executed_version: str
    reserved: int | None
    endpoint: str
    client_context: str | None = None
    role: str = ""
    dead_letter_target: str | None = None
    retries: int = 2
    on_success: str | None = None
    on_failure: str | None = None
    maximum_event_age: int = DEFAULT_EVENT_AGE


class Executor:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.pool = WorkerPool()
        self.events = EventQueue()
        self.retries = RetrySchedule(emulator.clock, self.events)

    def environment(self, invocation: Invocation) -> tuple[dict[str, str], float]:
        """A new worker's environment and when its credentials expire: AWS's variables, the
        execution role's temporary credentials from hoarfrost's STS (AssumeRole, so the
        function's own calls are the role's, as in AWS; credentials of the function's account
        when STS refuses the role), the emulator's endpoint, then the function's variables."""
        spec = invocation.spec
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PYTHONDONTWRITEBYTECODE": "1",
            "_HANDLER": spec.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": invocation.region,
            "AWS_DEFAULT_REGION": invocation.region,
            "AWS_ENDPOINT_URL": invocation.endpoint,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        expires_at = float("inf")
        try:
            credentials = self.emulator.call("sts", "AssumeRole", {
                "RoleArn": invocation.role, "RoleSessionName": spec.function_name[:64],
                "DurationSeconds": CREDENTIAL_SECONDS}, account=invocation.account, region=invocation.region,
            )["Credentials"]
            env["AWS_ACCESS_KEY_ID"] = credentials["AccessKeyId"]
            env["AWS_SECRET_ACCESS_KEY"] = credentials["SecretAccessKey"]
            env["AWS_SESSION_TOKEN"] = credentials["SessionToken"]
            # Replaced a minute before they expire, as AWS refreshes a sandbox's credentials.
            expires_at = credentials["Expiration"].timestamp() - 60
        except Exception:
            # A 12-digit access key id means that account to hoarfrost (core.accounts).
            env["AWS_ACCESS_KEY_ID"] = invocation.account
            env["AWS_SECRET_ACCESS_KEY"] = "hoarfrost"
        env.update(spec.environment)
        return env, expires_at

    def invoke(self, invocation: Invocation) -> Outcome | None:
        """Run it now and wait; None when reserved concurrency throttles it. Its log goes to
        CloudWatch Logs before this returns."""
        spec = invocation.spec
        if not self.pool.enter(spec.function_arn, invocation.reserved):
            self._metrics(invocation, [MetricDatum("Throttles", 1.0)])
            return None
        try:
            outcome = run(self.pool, spec, invocation.event, invocation.request_id, invocation.invoked_arn,
                          lambda: self.environment(invocation), self.emulator.clock, invocation.client_context)
        finally:
            self.pool.leave(spec.function_arn)
        self._write_log(invocation, outcome)
        self._metrics(invocation, [MetricDatum("Invocations", 1.0),
                                   MetricDatum("Errors", 1.0 if outcome.function_error is not None else 0.0),
                                   MetricDatum("Duration", outcome.duration_ms, "Milliseconds")])
        return outcome

    def _metrics(self, invocation: Invocation, data: list[MetricDatum]) -> None:
        """AWS/Lambda's free metrics, per FunctionName and for the whole account (no dimension)."""
        named = (("FunctionName", invocation.spec.function_name),)
        data = data + [MetricDatum(datum.name, datum.value, datum.unit, named) for datum in data]
        try:
            self.emulator.ports.put_metrics(invocation.account, invocation.region, "AWS/Lambda", data)
        except Exception:
            log.exception("emitting the metrics of %s failed", invocation.spec.function_name)

    def submit(self, invocation: Invocation) -> None:
        """Queue an asynchronous invocation. A function error is retried ``retries`` times, one
        and then two minutes later by the emulator's clock; a throttle is retried with a growing
        back-off without counting as an attempt. Once the retries are spent, or the event is
        older than ``maximum_event_age`` when an attempt comes due, it goes to the dead-letter
        target and the on-failure destination; a success goes to the on-success destination."""
        enqueued = self.emulator.clock.time()
        self.events.submit(lambda: self._attempt(invocation, enqueued, 1, 0, None))

    def _attempt(self, invocation: Invocation, enqueued: float, attempt: int, throttles: int,
                 last: Outcome | None) -> None:
        clock = self.emulator.clock
        if clock.time() - enqueued > invocation.maximum_event_age:
            self._give_up(invocation, last, "EventAgeExceeded", attempt - 1)
            return
        outcome = self.invoke(invocation)
        if outcome is not None and outcome.function_error is None:
            self._destination(invocation.on_success, invocation, outcome, "Success", attempt)
            return
        if outcome is None:
            delay = min(2.0 ** throttles, THROTTLE_BACKOFF_MAX)
            self.retries.schedule(clock.time() + delay,
                                  lambda: self._attempt(invocation, enqueued, attempt, throttles + 1, last))
            return
        if attempt > invocation.retries:
            self._give_up(invocation, outcome, "RetriesExhausted", attempt)
            return
        delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
        self.retries.schedule(clock.time() + delay,
                              lambda: self._attempt(invocation, enqueued, attempt + 1, 0, outcome))

    def _give_up(self, invocation: Invocation, outcome: Outcome | None, condition: str, attempts: int) -> None:
        self._dead_letter(invocation, outcome)
        self._destination(invocation.on_failure, invocation, outcome, condition, attempts)

    def _destination(self, target: str | None, invocation: Invocation, outcome: Outcome | None, condition: str,
                     attempts: int) -> None:
        """An invocation record, as AWS sends it to a destination."""
        if not target:
            return
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": invocation.executed_version}
        payload: Any = None
        if outcome is None:
            response = {"statusCode": 429, "executedVersion": invocation.executed_version}
        else:
            if outcome.function_error is not None:
                response["functionError"] = outcome.function_error
            try:
                payload = json.loads(outcome.payload) if outcome.payload else None
            except ValueError:
                payload = outcome.payload.decode("utf-8", "replace")
        clock = self.emulator.clock
        record = {
            "version": "1.0",
            "timestamp": clock.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "requestContext": {"requestId": invocation.request_id,
                               "functionArn": f"{invocation.spec.function_arn}:{invocation.executed_version}",
                               "condition": condition, "approximateInvokeCount": attempts},
            "requestPayload": json.loads(invocation.event),
            "responseContext": response,
            "responsePayload": payload,
        }
        try:
            self.emulator.deliver(target, Message(body=json.dumps(record), source_arn=invocation.spec.function_arn,
                                                  sender=invocation.account))
        except Exception:
            log.exception("destination delivery to %s failed", target)

    def _dead_letter(self, invocation: Invocation, outcome: Outcome | None) -> None:
        target = invocation.dead_letter_target
        if not target:
            return
        error = (outcome.error or {}) if outcome is not None else {}
        message = error.get("errorMessage") or ("Rate Exceeded." if outcome is None else "Unhandled")
        attributes: dict[str, Any] = {
            "RequestID": {"DataType": "String", "StringValue": invocation.request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": "200" if outcome is not None else "429"},
            "ErrorMessage": {"DataType": "String", "StringValue": str(message)[:1024]},
        }
        try:
            self.emulator.deliver(target, Message(body=invocation.event, attributes=attributes,
                                                  source_arn=invocation.spec.function_arn, sender=invocation.account))
        except Exception:
            log.exception("dead-letter delivery to %s failed", target)

    def _write_log(self, invocation: Invocation, outcome: Outcome) -> None:
        if not outcome.log_events or not outcome.log_stream:
            return
        group = build_arn("logs", invocation.region, invocation.account, f"log-group:{invocation.spec.log_group}")
        try:
            self.emulator.deliver(group, log_events_message(outcome.log_stream, outcome.log_events))
        except Exception:
            log.exception("writing the log of %s failed", invocation.spec.function_name)

    def shutdown(self) -> None:
        self.retries.clear()
        self.events.clear()
        self.pool.shutdown()


def event_text(payload: bytes | None) -> str:
    """The invocation's event as JSON text (an empty payload is ``{}``); ValueError if not JSON."""
    if not payload:
        return "{}"
    text = payload.decode("utf-8")
    json.loads(text)
    return text
