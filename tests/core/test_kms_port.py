"""The key port (emulator.keys): KMS registers it when started (on first use), its calls are the
KMS operations with KMS's errors, and KMS's after-commit work waits for the caller's lock."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from hoarfrost.core.errors import ServiceError
from hoarfrost.core.kms_port import KeyCaller
from hoarfrost.core.views import StateChange
from tests.harness import Harness

ACCOUNT, REGION = "123456789012", "us-east-1"


def test_the_port_starts_kms_and_runs_its_operations(inprocess: Harness) -> None:
    emulator = inprocess.emulator
    assert "kms" not in [service.name for service in emulator.started_services()]
    caller = KeyCaller(ACCOUNT, REGION)
    sealed = emulator.keys.encrypt(caller, "alias/aws/test", b"plain", {"purpose": "test"})
    info = emulator.keys.describe(caller, "alias/aws/test")
    assert sealed.key_arn == info.arn and info.manager == "AWS" and info.state == "Enabled"
    assert emulator.keys.decrypt(caller, sealed.ciphertext, {"purpose": "test"}).plaintext == b"plain"
    data_key = emulator.keys.generate_data_key(caller, info.key_id, {"a": "b"})
    assert len(data_key.plaintext) == 32
    assert emulator.keys.decrypt(caller, data_key.ciphertext, {"a": "b"}, info.arn).plaintext == data_key.plaintext
    # The same checks and errors as the API: the KMS ServiceError, for callers to translate.
    with pytest.raises(ServiceError) as raised:
        emulator.keys.decrypt(caller, sealed.ciphertext, {"purpose": "other"})
    assert raised.value.code == "InvalidCiphertextException"
    with pytest.raises(ServiceError) as raised:
        emulator.keys.encrypt(caller, "alias/missing", b"x")
    assert raised.value.code == "NotFoundException"
    customer = inprocess.client("kms").create_key()["KeyMetadata"]
    inprocess.client("kms").disable_key(KeyId=customer["KeyId"])
    with pytest.raises(ServiceError) as raised:
        emulator.keys.encrypt(caller, customer["Arn"], b"x")
    assert raised.value.code == "DisabledException" and raised.value.message == f"{customer['Arn']} is disabled."
    assert emulator.keys.describe(caller, customer["KeyId"]).state == "Disabled"


def test_kms_work_goes_to_the_callers_after_commit(inprocess: Harness) -> None:
    emulator = inprocess.emulator
    changes: list[StateChange] = []
    emulator.service("kms").notifier.subscribe(changes.append)
    queued: list[Any] = []
    emulator.keys.encrypt(KeyCaller(ACCOUNT, REGION, after_commit=queued.append), "alias/aws/queued", b"x")
    assert changes == [] and queued  # the managed key was made: its notification waits
    for work in queued:
        work()
    assert [(c.service, c.operation) for c in changes] == [("kms", "Encrypt")]


def test_kms_notifications_run_after_secrets_manager_released_its_lock(inprocess: Harness) -> None:
    """A KMS listener that needs the Secrets Manager scope (from another thread) gets it: KMS's
    notification of the managed key made for CreateSecret runs after that request's lock is gone."""
    emulator = inprocess.emulator
    sm_scope = emulator.service("secretsmanager").scope(ACCOUNT, REGION)
    free: list[bool] = []

    def listener(change: StateChange) -> None:
        def probe() -> None:
            got = sm_scope.lock.acquire(timeout=2)
            free.append(got)
            if got:
                sm_scope.lock.release()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()

    emulator.service("kms").notifier.subscribe(listener)
    inprocess.client("secretsmanager").create_secret(Name="s", SecretString="v")
    assert free == [True]


def test_secrets_and_key_changes_in_parallel_do_not_deadlock(inprocess: Harness) -> None:
    """Secrets Manager takes its lock then KMS's; KMS never takes Secrets Manager's. Writers of
    both running at once always finish."""
    sm, kms = inprocess.client("secretsmanager"), inprocess.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    sm.create_secret(Name="s", SecretString="v0", KmsKeyId=key)
    errors: list[BaseException] = []

    def writes() -> None:
        for i in range(30):
            try:
                sm.put_secret_value(SecretId="s", SecretString=f"v{i}")
                sm.get_secret_value(SecretId="s")
            except Exception as exc:  # a disabled key answers an error: only a hang is a failure
                errors.append(exc)

    def toggles() -> None:
        for _ in range(30):
            kms.disable_key(KeyId=key)
            kms.enable_key(KeyId=key)

    threads = [threading.Thread(target=writes), threading.Thread(target=toggles)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert all("EncryptionFailure" in str(e) or "DecryptionFailure" in str(e) for e in errors)
