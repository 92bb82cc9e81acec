"""hoarfrost's runtime client for Python functions: runs inside a worker process, never inside
hoarfrost. It imports the handler once (the init phase, like a cold start in AWS), then answers
invocations read from a control pipe until that pipe closes (hoarfrost stopped the worker or
exited).

Frames on both pipes are a 4-byte big-endian length and a JSON object. From hoarfrost:
``{"type": "invoke", "request_id", "event", "deadline_ms", "context"}``. To hoarfrost:
``ready`` (with an init error, if any), ``log`` (text the function wrote), ``result``
(``payload``) or ``error`` (AWS's error object: errorMessage, errorType, stackTrace).

Only the standard library is used: this file runs with whatever interpreter the runtime names.
"""

import importlib
import io
import logging
import json
import os
import struct
import sys
import threading
import time
import traceback


class _Pipe:
    def __init__(self, fd_in, fd_out):
        self.reader = os.fdopen(fd_in, "rb", buffering=0)
        self.writer = os.fdopen(fd_out, "wb", buffering=0)
        self.lock = threading.Lock()

    def send(self, message):
        data = json.dumps(message).encode("utf-8")
        with self.lock:
            self.writer.write(struct.pack(">I", len(data)) + data)

    def _exactly(self, size):
        chunks = b""
        while len(chunks) < size:
            chunk = self.reader.read(size - len(chunks))
            if not chunk:
                return None
            chunks += chunk
        return chunks

    def receive(self):
        head = self._exactly(4)
        if head is None:
            return None
        body = self._exactly(struct.unpack(">I", head)[0])
        return None if body is None else json.loads(body)


class _Forward(io.TextIOBase):
    """sys.stdout / sys.stderr: every write goes to hoarfrost at once, so a function that
    times out still has its output logged."""

    def __init__(self, pipe):
        self.pipe = pipe

    def writable(self):
        return True

    def write(self, text):
        if text:
            self.pipe.send({"type": "log", "text": text})
        return len(text)


_REQUEST_ID = [""]


class _LambdaLogHandler(logging.Handler):
    """The root logger's handler, formatting as AWS's Python runtime does:
    ``[LEVEL]\t<ISO time>Z\t<request id>\t<message>``."""

    def emit(self, record):
        try:
            when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            text = f"[{record.levelname}]\t{when}.{int(record.msecs):03d}Z\t{_REQUEST_ID[0]}\t{record.getMessage()}"
            if record.exc_info:
                text += "\n" + "".join(traceback.format_exception(*record.exc_info))
            sys.stdout.write(text + "\n")
        except Exception:
            self.handleError(record)


class LambdaContext:
    """What AWS's Python runtime passes as ``context``."""

    def __init__(self, request_id, deadline_ms, invoked_arn, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = client_context
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        # This runs in the worker: hoarfrost sent the deadline on this process's own clock.
        return max(int(self._deadline_ms - time.time() * 1000), 0)


def _stack(tb, skip=1):
    frames = traceback.extract_tb(tb)[skip:]
    return traceback.format_list(frames)


def _error(exc, error_type=None, message=None, skip=1):
    return {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": _stack(exc.__traceback__, skip),
    }


def _load(handler):
    module_name, _, function_name = handler.rpartition(".")
    if not module_name or not function_name:
        raise _InitError({"errorMessage": f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)",
                          "errorType": "Runtime.MalformedHandlerName", "requestId": "", "stackTrace": []})
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise _InitError(_error(exc, "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}"))
    except ImportError as exc:
        raise _InitError(_error(exc, "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"))
    except Exception as exc:
        raise _InitError(_error(exc))
    function = getattr(module, function_name, None)
    if function is None:
        raise _InitError({"errorMessage": f"Handler '{function_name}' missing on module '{module_name}'",
                          "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []})
    return function


class _InitError(Exception):
    def __init__(self, payload):
        super().__init__(payload["errorMessage"])
        self.payload = payload


def main():
    pipe = _Pipe(int(sys.argv[1]), int(sys.argv[2]))
    sys.stdout = _Forward(pipe)
    sys.stderr = _Forward(pipe)
    logging.getLogger().addHandler(_LambdaLogHandler())
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    started = time.monotonic()
    try:
        function = _load(os.environ["_HANDLER"])
        init_error = None
    except _InitError as exc:
        function, init_error = None, exc.payload
    pipe.send({"type": "ready", "init_ms": (time.monotonic() - started) * 1000, "error": init_error})
    if init_error is not None:
        return
    while True:
        message = pipe.receive()
        if message is None:
            return
        request_id = message["request_id"]
        _REQUEST_ID[0] = request_id
        os.environ["_X_AMZN_TRACE_ID"] = message.get("trace_id", "")
        context = LambdaContext(request_id, message["deadline_ms"], message["invoked_arn"],
                                message.get("client_context"))
        try:
            result = function(json.loads(message["event"]), context)
        except Exception as exc:
            payload = _error(exc)
            payload["requestId"] = request_id
            trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            pipe.send({"type": "errorlog", "text": f"[ERROR] {type(exc).__name__}: {exc}\n{trace}"})
            pipe.send({"type": "error", "error": payload})
            continue
        try:
            payload = json.dumps(result)
        except (TypeError, ValueError) as exc:
            pipe.send({"type": "error", "error": {"errorMessage": f"Unable to marshal response: {exc}",
                                                  "errorType": "Runtime.MarshalError", "requestId": request_id,
                                                  "stackTrace": []}})
            continue
        pipe.send({"type": "result", "payload": payload})


if __name__ == "__main__":
    main()
