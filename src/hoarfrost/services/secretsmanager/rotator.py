"""Running rotations: the four steps of a rotation function, one after another, off the request.

RotateSecret answers at once with the new version's id, as AWS does; the steps then run here on
one background thread per emulator (started by the first rotation, stopped by ``close`` and
``reset``), never under a Secrets Manager lock: each step is a synchronous Lambda ``Invoke``
through the emulator's pipeline (``Emulator.call``), so Lambda's own invocation path runs the
function, and the function's SDK calls come back into Secrets Manager (PutSecretValue with
AWSPENDING, UpdateSecretVersionStage) like any other client's. Only the outcome is written back,
under the secret's scope lock: LastRotatedDate and the next scheduled date when every step
succeeded, the failure otherwise (AWSPENDING then stays where the function left it, and the next
RotateSecret answers that a rotation is still in progress).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.kit.policies import Decision, PolicyError, Requester, access_request, parse_policy
from hoarfrost.services.secretsmanager.schedule import next_rotation
from hoarfrost.services.secretsmanager.state import CURRENT, PENDING

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator
    from hoarfrost.services.secretsmanager.service import SecretsManagerService

log = logging.getLogger("hoarfrost.secretsmanager")

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
PRINCIPAL = "secretsmanager.amazonaws.com"
CANNOT_INVOKE = ("Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy "
                 "grants access to the principal secretsmanager.amazonaws.com.")


def may_invoke(emulator: Emulator, lambda_arn: str, account: str, secret_arn: str) -> bool:
    """Whether Secrets Manager may invoke the rotation function, as AWS decides it: the function
    exists and its resource policy (AddPermission) allows ``lambda:InvokeFunction`` to the
    principal secretsmanager.amazonaws.com, with ``aws:SourceAccount`` / ``aws:SourceArn``
    conditions matched against the secret. Takes no lock (a handler may ask under its own)."""
    arn = try_parse_arn(lambda_arn)
    if arn is None or arn.service != "lambda" or not arn.resource.startswith("function:"):
        return False
    if not emulator.accepts(lambda_arn):
        return False
    text = emulator.ports.resource_policy("lambda", lambda_arn)
    if text is None:
        return False
    try:
        policy = parse_policy(text)
    except PolicyError:
        return False
    request = access_request(Requester(service=PRINCIPAL), "lambda:InvokeFunction", lambda_arn,
                             {"aws:SourceAccount": account, "aws:SourceArn": secret_arn})
    return policy.evaluate(request) is Decision.ALLOW


@dataclass(frozen=True, slots=True)
class Rotation:
    """One rotation to run: which secret (its scope and ARN), which function, and the tokens the
    function receives (``token`` is the new version's id)."""

    account: str
    region: str
    secret_arn: str
    secret_name: str
    lambda_arn: str
    token: str
    rotation_token: str


class StepFailed(Exception):
    """A step's invocation failed: the function raised, timed out, or could not be invoked."""


def run_steps(emulator: Emulator, rotation: Rotation, stopped: Callable[[], bool]) -> None:
    """Invoke the function once per step, in order; raises StepFailed at the first failure."""
    arn = try_parse_arn(rotation.lambda_arn)
    region = arn.region if arn is not None and arn.region else rotation.region
    from hoarfrost.core.emulator import InternalCallError

    if not may_invoke(emulator, rotation.lambda_arn, rotation.account, rotation.secret_arn):
        raise StepFailed(f"{STEPS[0]}: AccessDeniedException: {CANNOT_INVOKE}")
    for step in STEPS:
        if stopped():
            raise StepFailed("the emulator stopped before the rotation finished")
        event = {"Step": step, "SecretId": rotation.secret_arn, "ClientRequestToken": rotation.token,
                 "RotationToken": rotation.rotation_token}
        try:
            output = emulator.call("lambda", "Invoke", {"FunctionName": rotation.lambda_arn,
                                                        "Payload": json.dumps(event).encode()},
                                   account=rotation.account, region=region)
        except InternalCallError as error:
            raise StepFailed(f"{step}: {error.code}: {error.message}") from None
        if output.get("FunctionError"):
            payload: Any = output.get("Payload")  # a stream, as an SDK's Invoke answers
            body = payload.read() if hasattr(payload, "read") else payload
            detail = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
            raise StepFailed(f"{step}: {output['FunctionError']}: {detail}")


class Rotator:
    """The queue of rotations and the thread that runs them. ``submit`` may be called from any
    thread holding no Secrets Manager lock (``ctx.after_commit``, the clock's listener)."""

    def __init__(self, service: SecretsManagerService) -> None:
        self._service = service
        self._queue: deque[Rotation] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._generation = 0
        self._busy = 0  # rotations taken off the queue and not yet recorded

    def submit(self, rotation: Rotation) -> None:
        with self._cond:
            self._queue.append(rotation)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, args=(self._generation,),
                                                name="hoarfrost-secret-rotation", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def stop(self) -> None:
        """Drop queued rotations and end the thread (a step in flight ends with its invocation:
        the thread checks between steps and records nothing once stopped)."""
        with self._cond:
            self._generation += 1
            self._queue.clear()
            thread, self._thread = self._thread, None
            self._busy = 0
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)

    def wait_idle(self, timeout: float) -> bool:
        """Block until no rotation is queued or running; False when ``timeout`` passed first (tests)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def _run(self, generation: int) -> None:
        def stopped() -> bool:
            return self._generation != generation

        while True:
            with self._cond:
                while not self._queue and not stopped():
                    self._cond.wait()
                if stopped():
                    return
                rotation = self._queue.popleft()
                self._busy += 1
            error: str | None = None
            try:
                run_steps(self._service.emulator, rotation, stopped)
            except StepFailed as failed:
                error = str(failed)
            except Exception as exc:  # never let one rotation end the thread
                log.exception("rotation of %s failed", rotation.secret_arn)
                error = f"{type(exc).__name__}: {exc}"
            try:
                if not stopped():
                    self._record(rotation, error)
            finally:
                with self._cond:
                    if not stopped():
                        self._busy -= 1
                    self._cond.notify_all()

    def _record(self, rotation: Rotation, error: str | None) -> None:
        """Write the outcome onto the secret, if it is still the one that was rotated."""
        service = self._service
        scope = service.backends.existing(rotation.account, rotation.region)
        if scope is None:
            return
        with scope.lock:
            secret = scope.backend.secrets.get(rotation.secret_name)
            if secret is None or secret.arn != rotation.secret_arn:
                return
            if error is not None:
                log.warning("rotation of %s failed: %s", rotation.secret_arn, error)
                secret.rotation_failure = error
            else:
                now = service.emulator.clock.time()
                secret.last_rotated = now
                secret.rotation_failure = None
                if secret.rotation_enabled:
                    secret.next_rotation = next_rotation(secret.rotation_rules, now)
                new = secret.versions.get(rotation.token)
                if new is not None and CURRENT in new.stages and PENDING in new.stages:
                    new.stages.remove(PENDING)  # rotation complete: no rotation is pending any more
        service.notify_state_changed(rotation.account, rotation.region, "RotateSecret")
