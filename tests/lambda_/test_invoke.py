"""Invoke: functions really run in worker processes (warm reuse, errors, timeouts, logs)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Harness
from tests.lambda_.conftest import code, create

ECHO = '''
import os
COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    print("got", event)
    return {"event": event, "count": COUNT, "pid": os.getpid(),
            "name": context.function_name, "memory": context.memory_limit_in_mb,
            "request_id": context.aws_request_id, "log_group": context.log_group_name,
            "remaining": context.get_remaining_time_in_millis(),
            "env_name": os.environ["AWS_LAMBDA_FUNCTION_NAME"], "region": os.environ["AWS_REGION"],
            "custom": os.environ.get("GREETING")}
'''


def _call(lam: Any, name: str, event: Any = None, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}), **kwargs)
    return response, json.loads(response["Payload"].read())


def test_invoke_runs_the_handler_in_a_warm_worker(lam: Any, aws: Harness) -> None:
    create(lam, "echo", ECHO, Environment={"Variables": {"GREETING": "hi"}}, MemorySize=256)
    response, body = _call(lam, "echo", {"a": 1})
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["event"] == {"a": 1} and body["count"] == 1
    assert body["name"] == "echo" and body["env_name"] == "echo" and body["memory"] == 256
    assert body["region"] == "us-east-1" and body["custom"] == "hi"
    assert body["log_group"] == "/aws/lambda/echo" and 0 < body["remaining"] <= 5000
    assert body["request_id"] == response["ResponseMetadata"]["RequestId"]
    _, second = _call(lam, "echo", {"a": 2})
    # The same worker process: module state survived.
    assert second["count"] == 2 and second["pid"] == body["pid"]
    assert aws.emulator.service("lambda").worker_pids() == [body["pid"]]


def test_function_errors_come_back_unhandled(lam: Any) -> None:
    create(lam, "boom", "def handler(event, context):\n    raise ValueError('bad ' + event['x'])\n")
    response, body = _call(lam, "boom", {"x": "input"})
    assert response["StatusCode"] == 200 and response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "bad input"
    assert any("raise ValueError" in line for line in body["stackTrace"])


def test_import_errors_and_missing_handlers(lam: Any) -> None:
    create(lam, "noimport", "import not_a_module_anywhere\n")
    _, body = _call(lam, "noimport")
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"].startswith("Unable to import module 'app'")
    create(lam, "nohandler", "def other(e, c):\n    return 1\n")
    response, body = _call(lam, "nohandler")
    assert response["FunctionError"] == "Unhandled"
    assert body == {"errorMessage": "Handler 'handler' missing on module 'app'", "errorType": "Runtime.HandlerNotFound",
                    "requestId": body["requestId"], "stackTrace": []}


def test_a_timeout_kills_the_worker(lam: Any, aws: Harness) -> None:
    create(lam, "slow", "import time, os\ndef handler(event, context):\n    print('started', os.getpid())\n"
                        "    time.sleep(30)\n", Timeout=1)
    response, body = _call(lam, "slow", LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorMessage"].endswith("Task timed out after 1.00 seconds")
    tail = base64.b64decode(response["LogResult"]).decode()
    assert "started" in tail and "Task timed out after 1.00 seconds" in tail and "REPORT RequestId" in tail
    assert aws.emulator.service("lambda").worker_pids() == []


def test_a_crashed_worker_answers_exit_error(lam: Any) -> None:
    create(lam, "crash", "import os\ndef handler(event, context):\n    os._exit(3)\n")
    response, body = _call(lam, "crash")
    assert response["FunctionError"] == "Unhandled" and body["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in body["errorMessage"]


def test_log_tail_and_cloudwatch_logs(lam: Any, aws: Harness) -> None:
    create(lam, "talk", "def handler(event, context):\n    print('hello from', context.function_name)\n"
                        "    return 'ok'\n")
    response, body = _call(lam, "talk", LogType="Tail")
    assert body == "ok"
    tail = base64.b64decode(response["LogResult"]).decode()
    lines = tail.splitlines()
    assert lines[0].startswith("START RequestId: ") and lines[0].endswith("Version: $LATEST")
    assert "hello from talk" in lines[1] and lines[2].startswith("END RequestId: ")
    assert lines[3].startswith("REPORT RequestId: ") and "Init Duration" in lines[3]
    _call(lam, "talk")
    logs = aws.client("logs")
    found = logs.filter_log_events(logGroupName="/aws/lambda/talk", filterPattern='"hello from"')["events"]
    assert len(found) == 2 and found[0]["logStreamName"] == found[1]["logStreamName"]
    assert found[0]["logStreamName"].endswith("]" + found[0]["logStreamName"].split("]")[-1])
    reports = logs.filter_log_events(logGroupName="/aws/lambda/talk", filterPattern="REPORT")["events"]
    assert len(reports) == 2
    assert "Init Duration" in reports[0]["message"] and "Init Duration" not in reports[1]["message"]


def test_invocation_types_and_bad_payloads(lam: Any, aws: Harness) -> None:
    create(lam, "quiet", "def handler(event, context):\n    print('async', event['n'])\n")
    assert lam.invoke(FunctionName="quiet", InvocationType="DryRun")["StatusCode"] == 204
    assert lam.invoke(FunctionName="quiet", InvocationType="Event", Payload=b'{"n": 7}')["StatusCode"] == 202
    assert aws.emulator.service("lambda").wait_for_invocations(10)
    events = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/quiet", filterPattern="async")["events"]
    assert [e["message"].strip() for e in events] == ["async 7"]
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="quiet", Payload=b"not json")
    assert code(exc) == "InvalidRequestContentException"
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="missing", Payload=b"{}")
    assert code(exc) == "ResourceNotFoundException"
    assert exc.value.response["Error"]["Message"] == (
        f"Function not found: arn:aws:lambda:us-east-1:{aws.account}:function:missing")


def test_reserved_concurrency_zero_throttles(lam: Any) -> None:
    create(lam, "held", "def handler(event, context):\n    return 1\n")
    lam.put_function_concurrency(FunctionName="held", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as exc:
        _call(lam, "held")
    assert code(exc) == "TooManyRequestsException"
    lam.delete_function_concurrency(FunctionName="held")
    assert _call(lam, "held")[1] == 1


def test_update_code_starts_fresh_workers(lam: Any) -> None:
    from tests.lambda_.conftest import python_zip

    create(lam, "v", "def handler(event, context):\n    return 'one'\n")
    assert _call(lam, "v")[1] == "one"
    lam.update_function_code(FunctionName="v", ZipFile=python_zip("def handler(event, context):\n    return 'two'\n"))
    assert _call(lam, "v")[1] == "two"


def test_workers_are_replaced_when_their_role_credentials_expire(lam: Any, aws: Harness) -> None:
    create(lam, "creds", "import os\ndef handler(event, context):\n"
                         "    return [os.getpid(), os.environ['AWS_ACCESS_KEY_ID'], 'AWS_SESSION_TOKEN' in os.environ]\n")
    pid, key, has_token = _call(lam, "creds")[1]
    assert key.startswith("ASIA") and has_token
    assert _call(lam, "creds")[1][0] == pid
    aws.emulator.clock.advance(12 * 3600)
    new_pid, new_key, _ = _call(lam, "creds")[1]
    assert new_pid != pid and new_key != key


def test_idle_workers_of_old_revisions_and_long_idle_ones_are_stopped(lam: Any, aws: Harness) -> None:
    create(lam, "idle", "import os\ndef handler(event, context):\n    return os.getpid()\n")
    service = aws.emulator.service("lambda")
    first = _call(lam, "idle")[1]
    lam.add_permission(FunctionName="idle", StatementId="s", Action="lambda:InvokeFunction", Principal="*")
    second = _call(lam, "idle")[1]  # a new revision: a new worker, the old one stopped
    assert second != first and service.worker_pids() == [second]
    aws.emulator.clock.advance(601)
    create(lam, "other", "def handler(event, context):\n    return 1\n")
    _call(lam, "other")  # any acquire reaps workers idle for over ten minutes
    assert second not in service.worker_pids() and len(service.worker_pids()) == 1


def test_a_response_over_six_megabytes_is_an_error(lam: Any) -> None:
    create(lam, "big", "def handler(event, context):\n    return 'x' * (7 * 1024 * 1024)\n")
    response, body = _call(lam, "big")
    assert response["FunctionError"] == "Unhandled" and body["errorType"] == "Function.ResponseSizeTooLarge"


def test_an_async_payload_over_256_kb_is_refused(lam: Any) -> None:
    create(lam, "small", "def handler(event, context):\n    return 1\n")
    with pytest.raises(ClientError) as exc:
        lam.invoke(FunctionName="small", InvocationType="Event", Payload=json.dumps({"x": "y" * 300_000}))
    assert code(exc) == "RequestTooLargeException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_concurrent_invocations_get_a_worker_each(lam: Any, aws: Harness) -> None:
    """Each concurrent execution runs in its own process, and a slow function does not hold
    the other requests of its scope (the handler waits with the lock released)."""
    import threading

    create(lam, "slowish", "import os, time\ndef handler(event, context):\n    time.sleep(0.5)\n"
                           "    return os.getpid()\n")
    _call(lam, "slowish")  # Pending -> Active, one warm worker
    results: list[int] = []

    def call() -> None:
        results.append(json.loads(aws.client("lambda").invoke(FunctionName="slowish")["Payload"].read()))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    # Meanwhile the scope answers other requests.
    assert lam.get_function(FunctionName="slowish")["Configuration"]["State"] == "Active"
    for thread in threads:
        thread.join(20)
    assert len(results) == 2 and len(set(results)) == 2
    assert sorted(aws.emulator.service("lambda").worker_pids()) == sorted(results)


def test_the_logging_module_writes_aws_formatted_lines(lam: Any) -> None:
    create(lam, "logs", "import logging\nlogger = logging.getLogger()\nlogger.setLevel(logging.INFO)\n"
                        "def handler(event, context):\n    logger.info('hello %s', 'there')\n    return 1\n")
    response, _ = _call(lam, "logs", LogType="Tail")
    line = next(l for l in base64.b64decode(response["LogResult"]).decode().splitlines() if "hello" in l)
    level, when, request_id, text = line.split("\t")
    assert level == "[INFO]" and when.endswith("Z") and text == "hello there"
    assert request_id == response["ResponseMetadata"]["RequestId"]


def test_remaining_time_is_the_timeout_after_the_clock_moved(lam: Any, aws: Harness) -> None:
    """The deadline a worker gets is in the worker's own time: moving the emulator's clock
    an hour ahead must not give a function an hour (or nothing) to run."""
    create(lam, "clocked", ECHO, Timeout=3)
    aws.emulator.clock.advance(3600)
    _, body = _call(lam, "clocked")
    assert 0 < body["remaining"] <= 3000


def test_workers_speak_the_runtime_api_and_a_traceback_is_one_log_event(lam: Any, aws: Harness) -> None:
    create(lam, "api", "import os\n\ndef handler(event, context):\n"
                       "    if event.get('fail'):\n        raise ValueError('no good')\n"
                       "    return os.environ.get('AWS_LAMBDA_RUNTIME_API', '')\n")
    _, address = _call(lam, "api")
    host, _, port = address.partition("/")[0].partition(":")
    assert host == "127.0.0.1" and port.isdigit()
    response, error = _call(lam, "api", {"fail": True})
    assert response["FunctionError"] == "Unhandled" and error["errorType"] == "ValueError"
    events = aws.client("logs").filter_log_events(logGroupName="/aws/lambda/api", filterPattern='"[ERROR]"')["events"]
    assert len(events) == 1
    lines = events[0]["message"].splitlines()
    assert lines[0] == "[ERROR] ValueError: no good" and lines[1] == "Traceback (most recent call last):"


def test_a_buffered_function_answers_a_response_stream_in_one_piece(lam: Any) -> None:
    create(lam, "whole", "def handler(event, context):\n    if event.get('fail'):\n        raise KeyError('k')\n"
                         "    return {'n': event['n']}\n")
    answer = lam.invoke_with_response_stream(FunctionName="whole", Payload=json.dumps({"n": 3}))
    events = list(answer["EventStream"])
    assert events == [{"PayloadChunk": {"Payload": b'{"n": 3}'}}, {"InvokeComplete": {}}]
    assert answer["ResponseStreamContentType"] == "application/vnd.amazon.eventstream"
    events = list(lam.invoke_with_response_stream(FunctionName="whole", Payload=b'{"fail": true}')["EventStream"])
    (complete,) = [e["InvokeComplete"] for e in events]
    assert complete["ErrorCode"] == "Unhandled" and json.loads(complete["ErrorDetails"])["errorType"] == "KeyError"
    assert lam.invoke_with_response_stream(FunctionName="whole", InvocationType="DryRun")["StatusCode"] == 204
