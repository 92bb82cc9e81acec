"""LambdaService: Lambda's backends, view conversions (code packages as blobs), scope rule, its
executor (worker processes, asynchronous invocations and their retries by the clock), the poller
of event source mappings (SQS queues, DynamoDB streams), the delivery sink through which other
services (SNS subscriptions, S3 event notifications, log subscription filters) invoke a function
asynchronously, and the policy source through which S3 checks a function lets it do so."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs

from hoarfrost.core.blobs import BlobSink, BlobSource
from hoarfrost.core.emulator import new_request_id
from hoarfrost.core.errors import ServiceError
from hoarfrost.core.http import HttpRequest, HttpResponse
from hoarfrost.core.kit.arn import try_parse_arn
from hoarfrost.core.ports import DeliveryError, Message
from hoarfrost.core.views import StatefulService, StateView, StateViewError

from . import function_urls, views
from .access import LambdaAccess
from .errors import function_not_found
from .handlers import ops
from .handlers.common import settle, split_name
from .invoking import prepare
from .runtime.executor import Executor, Invocation
from .runtime.mapping_poller import MappingPoller, Target
from .state import LambdaBackend
from .views import LambdaStateView

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator


class LambdaService(StatefulService[LambdaBackend, LambdaStateView]):
    name: ClassVar[str] = "lambda"
    view_type: ClassVar[type[LambdaStateView]] = LambdaStateView
    operations = ops

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self.executor = Executor(emulator)
        self.poller = MappingPoller(emulator, self.executor, self._poll_targets, self._prepare_batch,
                                     self._record_batch)
        emulator.ports.register("lambda", self.receive, self.has_function)
        access = LambdaAccess(self)
        emulator.ports.register_policy_source("lambda", access.function_policy)
        emulator.ports.register_request_resources("lambda", access)

    def new_backend(self, account: str, region: str) -> LambdaBackend:
        return LambdaBackend(account, region, self.emulator.blobs)

    def to_view(self, backend: LambdaBackend, account: str, region: str) -> LambdaStateView:
        return views.to_view(backend)

    def from_view(self, view: LambdaStateView, account: str, region: str) -> LambdaBackend:
        backend = views.from_view(view, account, region, self.emulator.blobs)
        self._adopt_blobs(backend, {item.sha256: item.zip_file for item in view.code_packages
                                    if item.zip_file is not None})
        return backend

    def _adopt_blobs(self, backend: LambdaBackend, inline: Mapping[str, bytes]) -> None:
        """Give every package its blob under this scope's key: a zip the view carries inline
        (``inline``, by SHA-256: views before schema 2) is written there once its hash is
        checked; a blob of another scope (a view taken elsewhere in this emulator) is copied; a
        blob the store lacks rejects the view."""
        store = backend.store
        copied: list[str] = []
        try:
            for package in backend.packages.values():
                local = backend.blob_key(package.sha256)
                data = inline.get(package.sha256)
                if data is not None:
                    if base64.b64encode(hashlib.sha256(data).digest()).decode() != package.sha256:
                        raise ValueError(f"code package {package.sha256}: its zip_file has another SHA-256")
                    if not store.exists(local):
                        store.put(local, data)
                        copied.append(local)
                    package.size = len(data)
                elif package.blob != local and not store.exists(local):
                    if not store.exists(package.blob):
                        raise StateViewError("blob", f"lambda: blob {package.blob!r} of code package "
                                             f"{package.sha256} is not in the blob store; restore with "
                                             "restore_with_blobs() and a source that has it")
                    store.copy(package.blob, local)
                    copied.append(local)
                elif not store.exists(local):
                    raise StateViewError("blob", f"lambda: blob {package.blob!r} of code package {package.sha256} "
                                         "is not in the blob store; restore with restore_with_blobs() and a "
                                         "source that has it")
                package.blob = local
        except BaseException:
            for key in copied:
                store.delete(key)
            raise

    # -- blobs beside the view ------------------------------------------------------------
    def snapshot_with_blobs(self, account: str, region: str, sink: BlobSink | None = None, *,
                            secrets: bool = False) -> LambdaStateView:
        """The view, and the zip of every code package it names written to ``sink``."""
        store = self.emulator.blobs
        with store.held():
            view = self.snapshot(account, region, secrets=secrets)
            if sink is not None:
                keys = sorted({package.blob for package in view.code_packages})
                try:
                    sink.write_batch([(key, store.open(key)) for key in keys])
                except (KeyError, OSError) as exc:
                    raise StateViewError("blob", f"lambda: could not export code packages: {exc}") from exc
        return view

    def restore_with_blobs(self, account: str, region: str, view: StateView | Mapping[str, Any] | str | bytes,
                           source: BlobSource | None = None) -> None:
        """Copy the zips the view's packages name from ``source`` into the store under this
        scope's keys, then restore; on any failure the blobs written are removed and the state
        is unchanged."""
        self._with_blobs(account, region, view, source, self.restore)

    def merge_with_blobs(self, account: str, region: str, view: StateView | Mapping[str, Any] | str | bytes,
                         source: BlobSource | None = None) -> None:
        """As ``restore_with_blobs``, merging instead of replacing."""
        self._with_blobs(account, region, view, source, self.merge)

    def _with_blobs(self, account: str, region: str, view: StateView | Mapping[str, Any] | str | bytes,
                    source: BlobSource | None, apply: Callable[[str, str, Any], None]) -> None:
        if source is None:
            apply(account, region, view)
            return
        parsed = self.parse_view(view)
        store = self.emulator.blobs
        scratch = LambdaBackend(account, region, store)
        wanted = {package.blob: scratch.blob_key(package.sha256) for package in parsed.code_packages
                  if package.zip_file is None}  # an inline zip is written by from_view
        missing = [key for key, local in wanted.items() if not store.exists(local)]
        written: list[str] = []
        try:
            for key, chunks in source.read_batch(missing) if missing else ():
                store.put(wanted[key], chunks)
                written.append(wanted[key])
            for package in parsed.code_packages:
                if package.zip_file is None:
                    package.blob = wanted[package.blob]
            apply(account, region, parsed)
        except BaseException as exc:
            for key in written:
                store.delete(key)
            if isinstance(exc, (KeyError, OSError)):
                raise StateViewError("blob", f"lambda: could not import code packages: {exc}") from exc
            raise

    def merge_backend(self, target: LambdaBackend, source: LambdaBackend) -> None:
        views.merge(target, source)

    def backend_replaced(self, account: str, region: str, old: LambdaBackend | None,
                         new: LambdaBackend | None) -> None:
        """Workers of replaced functions run old code: stop them (the next invoke starts fresh ones)."""
        if old is not None:
            for function in old.functions.values():
                self.executor.pool.retire(old.function_arn(function.name))
            if old is not new:
                keep = {package.blob for package in new.packages.values()} if new is not None else set()
                for package in old.packages.values():
                    if package.blob not in keep:
                        old.store.delete(package.blob)
        if new is not None and any(m.enabled for m in new.mappings.values()):
            # Called under the scope's lock: the poller's thread takes it only when it runs.
            self.poller.ensure_running()

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """A function named by ARN lives in the ARN's account and region."""
        for member in ("FunctionName", "Resource"):
            text = request.get(member)
            if isinstance(text, str):
                if member == "Resource":
                    arn = try_parse_arn(text)
                    if arn is not None and arn.service == "lambda":
                        return arn.account or account, arn.region or region
                    break
                _, _, arn_account, arn_region = split_name(text)
                return arn_account or account, arn_region or region
        return account, region

    def reset(self, account: str | None = None, region: str | None = None) -> None:
        if account is None and region is None:
            self.poller.stop()
            self.executor.shutdown()
        else:
            for scope in self.backends:
                if (account is None or scope.account == account) and (region is None or scope.region == region):
                    for function in list(scope.backend.functions.values()):
                        self.executor.pool.retire(scope.backend.function_arn(function.name))
        dropped = [s.backend for s in self.backends
                   if (account is None or s.account == account) and (region is None or s.region == region)]
        super().reset(account, region)
        for backend in dropped:  # their code packages' blobs go with them
            for package in backend.packages.values():
                backend.store.delete(package.blob)

    def wake_all(self) -> None:
        """The clock moved: asynchronous retries now due are queued before ``advance`` returns."""
        super().wake_all()
        self.executor.retries.release_due()

    def close(self) -> None:
        self.poller.stop()
        self.executor.shutdown()

    # -- event source mappings ------------------------------------------------------------
    def _poll_targets(self) -> list[Target]:
        """Every enabled mapping of every scope (copied under each scope's lock)."""
        found: list[Target] = []
        for scope in self.backends:
            with scope.lock:
                for mapping in scope.backend.mappings.values():
                    if mapping.enabled:
                        found.append(Target(
                            scope.account, scope.region, mapping.uuid, mapping.event_source_arn, mapping.batch_size,
                            response_types=tuple(mapping.response_types), position=mapping.position,
                            maximum_retry_attempts=(-1 if mapping.maximum_retry_attempts is None
                                                    else mapping.maximum_retry_attempts),
                            maximum_record_age=-1 if mapping.maximum_record_age is None else mapping.maximum_record_age,
                            bisect=mapping.bisect, on_failure=mapping.on_failure, filters=tuple(mapping.filters),
                            function_arn=scope.backend.function_arn(mapping.function_name, mapping.qualifier),
                            shard_positions=tuple(mapping.shard_positions.items()),
                            starting_position=mapping.starting_position,
                            starting_timestamp=mapping.starting_position_timestamp,
                            role=_role(scope.backend, mapping.function_name)))
        return found

    def _prepare_batch(self, account: str, region: str, uuid: str, event: str) -> Invocation | None:
        scope = self.backends.existing(account, region)
        if scope is None:
            return None
        endpoint = self.emulator.loopback_url()
        with scope.lock:
            mapping = scope.backend.mappings.get(uuid)
            function = scope.backend.functions.get(mapping.function_name) if mapping is not None else None
            if mapping is None or function is None:
                return None
            settle(function)
            try:
                return prepare(scope.backend, function, mapping.qualifier, event, new_request_id(), endpoint)
            except ServiceError:
                return None

    def _record_batch(self, account: str, region: str, uuid: str, result: str, position: str | None,
                      shard: str | None = None) -> None:
        """A batch's outcome, and the stream position a stream mapping reached (in ``shard``
        for a Kinesis stream)."""
        scope = self.backends.existing(account, region)
        if scope is not None:
            with scope.lock:
                mapping = scope.backend.mappings.get(uuid)
                if mapping is not None:
                    mapping.last_processing_result = result
                    if shard is not None and position is not None:
                        mapping.shard_positions[shard] = position
                    elif mapping.is_stream and position is not None:
                        mapping.position = position

    def admin_routes(self) -> dict[str, Callable[[HttpRequest], HttpResponse]]:
        """``code?account=&region=&function=&version=``: the zip GetFunction's ``Code.Location`` names."""
        return {"code": self._download_code}

    def admin_trees(self) -> dict[str, Callable[[HttpRequest], HttpResponse]]:
        """``url/<url-id>/...``: function URLs (any method, any path)."""
        return {"url": lambda request: function_urls.serve(self, request)}

    def _download_code(self, request: HttpRequest) -> HttpResponse:
        params = {key: values[0] for key, values in parse_qs(request.query).items()}
        scope = self.backends.existing(params.get("account", ""), params.get("region", ""))
        if scope is not None:
            with scope.lock:
                function = scope.backend.functions.get(params.get("function", ""))
                config = function.config(params.get("version", "$LATEST")) if function is not None else None
                if config is not None:
                    data = scope.backend.code(config)
                    return HttpResponse(200, {"content-type": "application/zip"}, data)
        return HttpResponse(404, {"content-type": "text/plain"}, b"no such function code")

    # -- the delivery port ----------------------------------------------------------------
    def has_function(self, target_arn: str) -> bool:
        arn = try_parse_arn(target_arn)
        if arn is None or not arn.resource.startswith("function:"):
            return False
        scope = self.backends.existing(arn.account, arn.region)
        return scope is not None and split_name(target_arn)[0] in scope.backend.functions

    def receive(self, target_arn: str, message: Message) -> str:
        """The sink: invoke the function the ARN names asynchronously with the message body as
        its event (SNS's ``Records`` document, a log subscription's ``awslogs``); returns the
        request id. Raises ResourceNotFoundException when there is no such function."""
        arn = try_parse_arn(target_arn)
        if arn is None or not arn.resource.startswith("function:"):
            raise DeliveryError(f"not a Lambda function ARN: {target_arn!r}")
        try:
            json.loads(message.body)
        except ValueError as exc:
            raise DeliveryError(f"a Lambda event must be JSON: {exc}") from exc
        name, qualifier, _, _ = split_name(target_arn)
        scope = self.backends.scope(arn.account, arn.region)
        request_id = new_request_id()
        endpoint = self.emulator.loopback_url()
        with scope.lock:
            function = scope.backend.functions.get(name)
            if function is None:
                raise function_not_found(target_arn)
            settle(function)
            invocation = prepare(scope.backend, function, qualifier, message.body, request_id, endpoint)
        self.executor.submit(invocation)
        return request_id

    # -- for tests ------------------------------------------------------------------------
    def wait_for_invocations(self, timeout: float = 10.0) -> bool:
        """Block until every queued asynchronous invocation finished; False if ``timeout`` passed.
        Retries scheduled for a later time of the clock do not count (advance the clock)."""
        return self.executor.events.wait_idle(timeout)

    def worker_pids(self) -> list[int]:
        return self.executor.pool.pids()


def _role(backend: Any, function_name: str) -> str:
    """The role of a mapping's function (Kinesis events name it as ``invokeIdentityArn``)."""
    function = backend.functions.get(function_name)
    return function.latest.role if function is not None else ""
