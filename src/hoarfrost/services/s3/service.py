"""Amazon S3: buckets, objects (bodies in the emulator's blob store), versions, multipart uploads,
bucket and object sub-resources, and event notifications into SQS (``events.py``).

How S3 is scoped. State is kept per (account, region) like every service, and a bucket lives
in the scope of the region it was created in (its LocationConstraint). Bucket names are global
across all accounts and regions, so the service keeps one name index (name -> account,
region) beside the scopes:

* any request naming a bucket finds it through the index, whichever region the request was
  sent to, and runs in the bucket's own scope (``handlers.common.on_bucket``);
* ListBuckets lists the caller's buckets in every region;
* CreateBucket of a name held by another account is BucketAlreadyExists;
* restore, merge and reset keep the index consistent (``backend_replaced``), and a view whose
  bucket name is held by another scope is rejected as invalid.

Blobs are owned by exactly one scope: their keys start with ``s3/<account>/<region>/``, and a
view restored into another scope gets its own copies (a hard link or shared chunks, not a
byte copy, in the stores we ship), so releasing a blob in one scope never breaks another.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from hoarfrost.core.blobs import BlobSink, BlobSource
from hoarfrost.core.kit.records import merge_keyed
from hoarfrost.core.views import StatefulService, StateView, StateViewError
from hoarfrost.services.s3.handlers import ops
from hoarfrost.services.s3.handlers.buckets import bucket_region
from hoarfrost.services.s3.objects_port import S3Objects
from hoarfrost.services.s3.state import S3Backend, blob_prefix
from hoarfrost.services.s3.views import (
    BucketView,
    S3StateView,
    backend_view,
    bucket_from_view,
    view_blob_refs,
)

if TYPE_CHECKING:
    from hoarfrost.core.blobs import BlobStore
    from hoarfrost.core.emulator import Emulator

BLOB_BATCH = 64


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lazy_open(store: BlobStore, key: str) -> Iterator[bytes]:
    """Open the blob when the sink starts reading it, not when the batch is assembled."""
    yield from store.open(key)


class S3Service(StatefulService[S3Backend, S3StateView]):
    name = "s3"
    view_type = S3StateView
    operations = ops
    validates_input = False  # S3 validates as S3 does, in its handlers

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator)
        self._names: dict[str, tuple[str, str]] = {}
        self._names_lock = threading.Lock()
        emulator.ports.register_policy_source("s3", self.bucket_policy)
        # Whole objects for other services (DynamoDB exports and imports), through the core port.
        emulator.ports.register_objects("s3", S3Objects(self))

    def bucket_policy(self, arn: str) -> str | None:
        """The policy of the bucket an ``arn:aws:s3:::bucket[/key]`` names (IAM enforcement)."""
        name = arn.split(":", 5)[-1].split("/", 1)[0]
        where = self._names.get(name)
        scope = self.backends.existing(*where) if where is not None else None
        bucket = scope.backend.buckets.get(name) if scope is not None else None
        return bucket.config.policy if bucket is not None else None

    # -- the global bucket-name index ---------------------------------------------------------
    def locate(self, name: str) -> tuple[str, str] | None:
        """(account, region) of the bucket ``name``, wherever it lives."""
        return self._names.get(name)

    def claim(self, name: str, account: str, region: str) -> tuple[str, str] | None:
        """Reserve ``name`` for (account, region); returns the current holder if already taken."""
        with self._names_lock:
            holder = self._names.get(name)
            if holder is None:
                self._names[name] = (account, region)
            return holder

    def release_name(self, name: str, account: str, region: str) -> None:
        with self._names_lock:
            if self._names.get(name) == (account, region):
                del self._names[name]

    def bucket_names(self, account: str) -> list[tuple[str, str]]:
        """(name, region) of every bucket the account owns."""
        return [(name, where[1]) for name, where in list(self._names.items()) if where[0] == account]

    @property
    def blobs(self) -> BlobStore:
        return self.emulator.blobs

    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """A bucket's own scope, wherever the request was sent; CreateBucket's is the region
        its LocationConstraint names."""
        name = request.get("Bucket")
        if not name:
            return account, region
        if operation == "CreateBucket":
            return account, bucket_region(request, region)
        return self.locate(name) or (account, region)

    # -- the view contract -----------------------------------------------------------------------
    def new_backend(self, account: str, region: str) -> S3Backend:
        return S3Backend(account, region)

    def to_view(self, backend: S3Backend, account: str, region: str) -> S3StateView:
        return backend_view(backend)

    def from_view(self, view: S3StateView, account: str, region: str) -> S3Backend:
        backend = S3Backend(account, region)
        for bucket_view in view.buckets:
            if bucket_view.name in backend.buckets:
                raise StateViewError("invalid", f"s3: bucket {bucket_view.name!r} appears twice in the view")
            holder = self.locate(bucket_view.name)
            if holder is not None and holder != (account, region):
                raise StateViewError(
                    "invalid",
                    f"s3: bucket {bucket_view.name!r} already exists in {holder[0]}/{holder[1]}; bucket names are "
                    "global, delete it there first",
                )
            backend.buckets[bucket_view.name] = bucket_from_view(bucket_view, account, region)
        self._adopt_blobs(backend)
        return backend

    def _adopt_blobs(self, backend: S3Backend) -> None:
        """Check every blob the new backend names exists; give foreign-scope blobs local copies."""
        store = self.blobs
        prefix = blob_prefix(backend.account, backend.region)
        copied: list[str] = []
        try:
            for holder in self._blob_holders(backend):
                if not store.exists(holder.blob):
                    raise StateViewError(
                        "blob",
                        f"s3: blob {holder.blob!r} named by the view is not in the blob store; restore with "
                        "restore_with_blobs() and a source that has it",
                    )
                if not holder.blob.startswith(prefix):
                    local = backend.new_blob_key()
                    store.copy(holder.blob, local)
                    copied.append(local)
                    holder.blob = local
        except BaseException:
            for key in copied:
                store.delete(key)
            raise

    @staticmethod
    def _blob_holders(backend: S3Backend) -> Iterator[Any]:
        for bucket in backend.buckets.values():
            for versions in bucket.versions.values():
                yield from (v for v in versions if v.blob)
            for upload in bucket.uploads.values():
                yield from upload.parts.values()

    def merge_backend(self, target: S3Backend, source: S3Backend) -> None:
        before = target.blob_keys()
        merge_keyed(target.buckets, source.buckets, BucketView.merge)
        for key in before - target.blob_keys():  # bodies the merge replaced
            self.blobs.delete(key)

    def backend_replaced(self, account: str, region: str, old: S3Backend | None, new: S3Backend | None) -> None:
        """Keep the name index and the blob store in step with a restored, merged or reset scope."""
        with self._names_lock:
            if old is not new:
                for name, holder in list(self._names.items()):
                    if holder == (account, region) and (new is None or name not in new.buckets):
                        del self._names[name]
            for name in (new.buckets if new is not None else ()):
                self._names[name] = (account, region)
        if old is not None and old is not new:
            keep = new.blob_keys() if new is not None else set()
            for key in old.blob_keys() - keep:
                self.blobs.delete(key)

    def reset(self, account: str | None = None, region: str | None = None) -> None:
        """Forget scopes, their names in the index and their blobs."""
        dropped = [(s.account, s.region, s.backend) for s in self.backends
                   if (account is None or s.account == account) and (region is None or s.region == region)]
        super().reset(account, region)
        for scope_account, scope_region, backend in dropped:
            self.backend_replaced(scope_account, scope_region, backend, None)

    # -- blobs beside the view -------------------------------------------------------------------
    def snapshot_with_blobs(self, account: str, region: str, sink: BlobSink | None = None, *,
                            secrets: bool = False) -> S3StateView:
        """The view, and every blob it names written to ``sink`` in batches of ``BLOB_BATCH``.

        The store defers deletions while the blobs stream, so a write racing the export never
        removes a body the view still names."""
        store = self.blobs
        with store.held():
            view = self.snapshot(account, region, secrets=secrets)
            if sink is not None:
                keys = sorted({key for _, key in view_blob_refs(view)})
                try:
                    for batch in _batches(keys, BLOB_BATCH):
                        sink.write_batch([(key, _lazy_open(store, key)) for key in batch])
                except KeyError as exc:
                    raise StateViewError("blob", f"s3: blob {exc} vanished during the export") from exc
                except OSError as exc:
                    raise StateViewError("blob", f"s3: could not export blobs: {exc}") from exc
        return view

    def restore_with_blobs(self, account: str, region: str, view: StateView | Mapping[str, Any] | str | bytes,
                           source: BlobSource | None = None) -> None:
        """Copy the blobs the view names from ``source`` into the store, then restore.

        A blob already in the store under its key is not copied again. Blobs of another scope
        are stored under this scope's keys. On any failure the blobs written are removed and
        the state is unchanged."""
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
        store = self.blobs
        prefix = blob_prefix(account, region)
        refs = view_blob_refs(parsed)
        wanted: dict[str, str] = {}  # source key -> local key
        for _, key in refs:
            if key not in wanted:
                wanted[key] = key if key.startswith(prefix) else f"{prefix}{uuid.uuid4().hex}"
        missing = [key for key, local in wanted.items() if not store.exists(local)]
        written: list[str] = []
        try:
            for batch in _batches(missing, BLOB_BATCH):
                received: Iterable[tuple[str, Any]] = source.read_batch(batch)
                for key, chunks in received:
                    store.put(wanted[key], chunks)
                    written.append(wanted[key])
            for model, key in refs:
                model.blob = wanted[key]
            apply(account, region, parsed)
        except KeyError as exc:
            self._drop(written)
            raise StateViewError("blob", f"s3: the blob source has no blob {exc}") from exc
        except OSError as exc:
            self._drop(written)
            raise StateViewError("blob", f"s3: could not import blobs: {exc}") from exc
        except BaseException:
            self._drop(written)
            raise

    def _drop(self, keys: list[str]) -> None:
        for key in keys:
            self.blobs.delete(key)

