"""The ``hoarfrost`` command: run the server, and move state in and out of a running one.

    hoarfrost serve [--host H] [--port P] [--log-requests] [--blob-dir DIR | --state-dir DIR]
                    [--default-account A] [--default-region R] [--enforce-iam]
    hoarfrost state export [FILE | -o FILE] (--url URL | --state-dir DIR)
                           [--service S [--account A] [--region R]] [--secrets] [--progress]
    hoarfrost state import FILE (--url URL | --state-dir DIR) [--service S [--account A] [--region R]]
                           [--merge] [--progress]
    hoarfrost state show   (--url URL | --state-dir DIR) [--service S [--account A] [--region R]] [--json]
    hoarfrost catalog SERVICE [--json]
    hoarfrost catalog --summary [--json]

The state commands talk to a running server's admin API (``/_hoarfrost/state``) with the
standard library only, so they work from any environment that can run Python; with
``--state-dir`` they work on a server's state directory directly, while no server uses it
(export reads it without writing; import saves there as the server would). ``show`` prints
resource counts per service and scope (and the emulator's clock once moved); ``--json`` the
views themselves. Long exports and imports draw their progress on a terminal (``--progress``
forces it). ``catalog`` shows what the
generic resource engine inferred from a service's model: its resource families, their
operations by role, identifiers and parents, and the operations it leaves unresolved.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

DEFAULT_PORT = 4566
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
DEFAULT_SAVE_DELAY = 0.5  # hoarfrost.server.persistence's, without importing it for every command


class CliError(Exception):
    """A failure to report on stderr with exit status ``code``, without a traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# -- serve ----------------------------------------------------------------------------------
def _serve(args: argparse.Namespace) -> int:
    from hoarfrost import __version__
    from hoarfrost.core.emulator import Emulator, Settings
    from hoarfrost.server.run import serve

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    if args.log_requests:
        logging.getLogger("hoarfrost.requests").setLevel(logging.INFO)
    settings = Settings()
    if args.default_account:
        settings.default_account = args.default_account
    if args.default_region:
        settings.default_region = args.default_region
    if args.blob_dir:
        settings.blob_dir = args.blob_dir
    settings.enforce_iam = args.enforce_iam
    if args.port is None:
        port = os.environ.get("HOARFROST_PORT") or str(DEFAULT_PORT)
        if not port.isdigit():
            raise CliError(f"HOARFROST_PORT must be a port number, not {port!r}")
        args.port = int(port)
    emulator = Emulator(settings)
    state_dir = args.state_dir or os.environ.get("HOARFROST_STATE_DIR") or None
    persister = _open_state_dir(emulator, state_dir, args) if state_dir else None

    def announce() -> None:
        kept = f"; state kept in {state_dir}" if state_dir else ""
        print(f"hoarfrost {__version__} serving on http://{args.host}:{args.port} "
              f"(admin API under /_hoarfrost/{kept}; Ctrl-C to stop)", file=sys.stderr, flush=True)

    try:
        serve(emulator, args.host, args.port, log_requests=args.log_requests, on_started=announce)
    finally:
        if persister is not None:  # the last changes, saved on a clean shutdown
            persister.close()
    return 0


def _open_state_dir(emulator: Any, state_dir: str, args: argparse.Namespace) -> Any:
    """Load ``state_dir`` into ``emulator`` and start saving there; a directory that cannot be
    loaded stops the start-up with its reason (nothing is served half-loaded)."""
    from hoarfrost.server.persistence import PersistenceError, Persister

    if args.blob_dir:
        raise CliError("--blob-dir and --state-dir exclude each other: with --state-dir, blobs live in DIR/blobs")
    try:
        delay = float(args.save_delay if args.save_delay is not None else
                      os.environ.get("HOARFROST_SAVE_DELAY", DEFAULT_SAVE_DELAY))
    except ValueError:
        raise CliError("HOARFROST_SAVE_DELAY must be a number of seconds") from None
    if delay < 0:
        raise CliError("--save-delay must not be negative")
    try:
        persister = Persister(emulator, state_dir, save_delay=delay)
    except (PersistenceError, OSError) as exc:
        raise CliError(f"cannot use state directory {state_dir}: {exc}") from exc
    try:
        scopes = persister.load()
    except PersistenceError as exc:
        persister.close_without_saving()
        raise CliError(f"refusing to start: {exc}") from exc
    logging.getLogger("hoarfrost.persistence").info("loaded %d scopes from %s", scopes, state_dir)
    return persister.start()


# -- state ----------------------------------------------------------------------------------
class _Progress:
    """Progress on stderr, redrawn on one line: drawn on a terminal, or when asked for."""

    def __init__(self, verb: str, enabled: bool) -> None:
        self.verb = verb
        self.enabled = enabled
        self._drawn = False

    def scopes(self, done: int, total: int, label: str) -> None:
        self._draw(f"{self.verb} {done}/{total} scopes ({label})")

    def transfer(self, done: int, total: int | None) -> None:
        size = f"{done / 2**20:.1f}" + (f"/{total / 2**20:.1f}" if total else "")
        self._draw(f"{self.verb} {size} MiB")

    def _draw(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"\r{text}\x1b[K")
            sys.stderr.flush()
            self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            self._drawn = False


def _progress(args: argparse.Namespace, verb: str) -> _Progress:
    return _Progress(verb, bool(getattr(args, "progress", False)) or sys.stderr.isatty())


def _state_url(args: argparse.Namespace, path: str = "state") -> str:
    base = args.url.rstrip("/") + "/_hoarfrost/" + path
    secrets = {"secrets": "1"} if getattr(args, "secrets", False) else {}
    if not args.service:
        if args.account or args.region:
            raise CliError("--account and --region need --service")
        query = {**({"blobs": "1"} if getattr(args, "blobs", False) else {}), **secrets}
        return f"{base}?{urllib.parse.urlencode(query)}" if query else base
    if getattr(args, "blobs", False):
        raise CliError("--blobs exports the whole emulator; drop --service")
    query = {key: value for key, value in (("account", args.account), ("region", args.region)) if value}
    query.update(secrets)
    url = f"{base}/{urllib.parse.quote(args.service, safe='')}"
    return f"{url}?{urllib.parse.urlencode(query)}" if query else url


def _summary_url(args: argparse.Namespace) -> str:
    query = {key: value for key, value in (("service", args.service), ("account", args.account),
                                            ("region", args.region)) if value}
    base = args.url.rstrip("/") + "/_hoarfrost/summary"
    return f"{base}?{urllib.parse.urlencode(query)}" if query else base


def _call(method: str, url: str, body: bytes | None = None, progress: _Progress | None = None) -> Any:
    """One admin API call; JSON in and out. Admin errors become a ``CliError`` with their message."""
    request = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(_read(response, progress) or b"null")
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", "replace")
        try:
            detail = json.loads(text)
            message = f"{detail.get('error', 'error')} ({detail['kind']})" if "kind" in detail else \
                detail.get("error", "error")
            text = f"{message}: {detail.get('message', text)}"
        except (ValueError, AttributeError):
            pass
        raise CliError(f"{method} {url} failed with HTTP {error.code}: {text}") from error
    except urllib.error.URLError as error:
        raise CliError(f"cannot reach hoarfrost at {url}: {error.reason}", code=2) from error


def _read(response: IO[bytes], progress: _Progress | None) -> bytes:
    if progress is None:
        return response.read()
    length = response.headers.get("content-length")  # type: ignore[attr-defined]
    total = int(length) if length and length.isdigit() else None
    chunks: list[bytes] = []
    done = 0
    while chunk := response.read(1 << 20):
        chunks.append(chunk)
        done += len(chunk)
        progress.transfer(done, total)
    progress.finish()
    return b"".join(chunks)


@contextlib.contextmanager
def _state_dir(args: argparse.Namespace, *, write: bool) -> Iterator[Any]:
    """An Emulator holding what ``args.state_dir`` holds. With ``write``, what changed in it is
    saved there when the block ends without an error (crash-safely, as a server saves); without,
    nothing is ever written. A directory a server is using is refused: use --url then."""
    from hoarfrost.core.emulator import Emulator
    from hoarfrost.server.persistence import PersistenceError, Persister

    path = Path(args.state_dir)
    if not write and not (path / "manifest.json").is_file():
        raise CliError(f"{path} holds no hoarfrost state (no manifest.json)")
    emulator = Emulator()
    try:
        persister = Persister(emulator, path, save_delay=3600)  # saved once, at the end
    except (PersistenceError, OSError) as exc:
        raise CliError(f"cannot use state directory {path}: {exc} (while a server uses it, pass its --url)") from exc
    saved = False
    try:
        try:
            persister.load()
        except PersistenceError as exc:
            raise CliError(f"cannot load {path}: {exc}") from exc
        if write:
            persister.start()
        yield emulator
        if write:
            persister.close()
            saved = True
    finally:
        if not saved:
            persister.close_without_saving()
        emulator.close()


def _no_scope_on_dir(args: argparse.Namespace, what: str) -> None:
    if args.service or args.account or args.region:
        raise CliError(f"with --state-dir, {what} works on the whole environment: drop --service, --account and "
                       "--region (or serve the directory and use --url)")


def _write_output(args: argparse.Namespace, text: str) -> None:
    target = args.file or args.output
    if args.file and args.output and args.file != args.output:
        raise CliError("give the output file once: FILE or -o FILE")
    if target and target != "-":
        with open(target, "w", encoding="utf-8") as file:
            file.write(text)
    else:
        sys.stdout.write(text)


def _export(args: argparse.Namespace) -> int:
    progress = _progress(args, "exporting")
    if args.state_dir:
        from hoarfrost.state import export_document

        _no_scope_on_dir(args, "export")
        with _state_dir(args, write=False) as emulator:
            document = export_document(emulator, secrets=args.secrets, progress=progress.scopes)
        progress.finish()
    else:
        document = _call("GET", _state_url(args), progress=progress)
    _write_output(args, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return 0


def _import(args: argparse.Namespace) -> int:
    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(args.file, "rb") as file:
                data = file.read()
        except OSError as exc:
            raise CliError(f"cannot read {args.file}: {exc.strerror}") from exc
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise CliError(f"{args.file} is not JSON: {exc}") from exc
    whole = isinstance(document, dict) and "views" in document
    if whole and args.service:
        raise CliError(f"{args.file} is a whole-emulator export; drop --service to import it")
    if args.state_dir:
        from hoarfrost.core.views import StateViewError
        from hoarfrost.state import import_document

        _no_scope_on_dir(args, "import")
        if not whole:
            raise CliError(f"{args.file} holds one service's view; with --state-dir, import a whole export")
        progress = _progress(args, "importing")
        try:
            with _state_dir(args, write=True) as emulator:
                count = import_document(emulator, document, merge=args.merge, progress=progress.scopes)
        except StateViewError as exc:
            raise CliError(f"{args.file} was not imported ({exc.kind}): {exc.message}") from exc
        finally:
            progress.finish()
        result = {"status": "ok", "action": "merge" if args.merge else "restore", "views": count,
                  "state_dir": str(args.state_dir)}
    elif whole:
        result = _call("PATCH" if args.merge else "PUT", _state_url(args), data)
    else:
        if not args.service:
            raise CliError(f"{args.file} holds one service's view: say which with --service")
        # A view carries the scope it was taken from; flags override it.
        if isinstance(document, dict):
            args.account = args.account or document.get("account")
            args.region = args.region or document.get("region")
        result = _call("PATCH" if args.merge else "PUT", _state_url(args), data)
    print(json.dumps(result), file=sys.stderr)
    return 0


def _show(args: argparse.Namespace) -> int:
    if args.state_dir:
        with _state_dir(args, write=False) as emulator:
            if args.json:
                from hoarfrost.state import export_document

                _no_scope_on_dir(args, "show --json")
                document: Any = export_document(emulator, blobs=False)
            else:
                from hoarfrost.server.summary import summary_document

                document = summary_document(emulator, service=args.service, account=args.account,
                                            region=args.region)
    elif args.json:
        document = _call("GET", _state_url(args))
    else:
        document = _call("GET", _summary_url(args))
    if not args.json:
        from hoarfrost.server.summary import summary_text

        sys.stdout.write(summary_text(document))
    elif isinstance(document, dict) and "views" in document:
        for entry in document["views"]:
            print(f"== {entry['service']} {entry['account']}/{entry['region']}")
            print(json.dumps(entry["view"], indent=2, sort_keys=True))
        if not document["views"]:
            print("(no state)")
    else:
        print(json.dumps(document, indent=2, sort_keys=True))
    return 0


# -- catalog --------------------------------------------------------------------------------
def _catalog(args: argparse.Namespace) -> int:
    from hoarfrost.generic import render
    from hoarfrost.generic.store import UnknownService, shared_store

    store = shared_store()
    if args.summary:
        if args.service:
            raise CliError("give a SERVICE or --summary, not both")
        catalogs = store.all()
        if args.json:
            print(json.dumps(render.summary_document(catalogs), indent=2, sort_keys=True))
        else:
            sys.stdout.write(render.summary_text(catalogs))
        return 0
    if not args.service:
        raise CliError("name a SERVICE (botocore name: glue, apigateway, ...) or pass --summary")
    try:
        found = store.get(args.service)
    except UnknownService:
        raise CliError(f"botocore has no service named {args.service!r}") from None
    if args.json:
        print(json.dumps(render.catalog_document(found), indent=2))
    else:
        sys.stdout.write(render.catalog_text(found))
    return 0


# -- the parser -----------------------------------------------------------------------------
def _scope_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=os.environ.get("HOARFROST_URL", DEFAULT_URL),
                        help=f"the running server (env HOARFROST_URL, default {DEFAULT_URL})")
    parser.add_argument("--state-dir", help="work on this state directory (hoarfrost serve --state-dir) "
                                            "instead of a running server; no server may be using it")
    parser.add_argument("--service", help="one service (botocore name: sts, s3, sqs, ...); default: all")
    parser.add_argument("--account", help="account of the scope (default: the server's default account)")
    parser.add_argument("--region", help="region of the scope (default: the server's default region)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hoarfrost", description="A stateful AWS service emulator.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the AWS APIs and the admin API over HTTP")
    serve.add_argument("--host", default=os.environ.get("HOARFROST_HOST", "127.0.0.1"),
                       help="interface to listen on (env HOARFROST_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port to listen on (env HOARFROST_PORT, default 4566)")
    serve.add_argument("--log-requests", action="store_true",
                       help="log one line per request: method, path, service.operation, status, time")
    serve.add_argument("--blob-dir", help="keep large payloads (S3 bodies) in this directory, not in memory")
    serve.add_argument("--state-dir",
                       help="load state from this directory at start and keep saving it there (crash-safe; "
                            "env HOARFROST_STATE_DIR)")
    serve.add_argument("--save-delay", type=float, default=None,
                       help="with --state-dir: seconds a change waits so that a burst of changes is saved "
                            f"once (env HOARFROST_SAVE_DELAY, default {DEFAULT_SAVE_DELAY})")
    serve.add_argument("--default-account", help="account for requests whose key names none (123456789012)")
    serve.add_argument("--default-region", help="region for requests that name none (us-east-1)")
    serve.add_argument("--enforce-iam", action="store_true",
                       help="evaluate IAM policies on every request not signed by an account's root")
    serve.set_defaults(run=_serve)

    state = commands.add_parser("state", help="export, import or show the state of a server or state directory")
    actions = state.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write state as JSON (all services, or one scope's view)")
    _scope_options(export)
    export.add_argument("file", nargs="?", help="file to write (default: stdout)")
    export.add_argument("-o", "--output", help="file to write (the same as FILE)")
    export.add_argument("--progress", action="store_true", help="draw progress on stderr even when not a terminal")
    export.add_argument("--blobs", action="store_true",
                        help="the payloads the views name (S3 object bodies) come along, base64, so the file "
                             "alone rebuilds the environment; the server now always includes them")
    export.add_argument("--secrets", action="store_true",
                        help="include IAM's secret access keys (otherwise only their hash): a key restored "
                             "from its hash still identifies its user, since hoarfrost checks no signature")
    export.set_defaults(run=_export)
    load = actions.add_parser("import", help="restore state from an export (or merge one view)")
    _scope_options(load)
    load.add_argument("--merge", action="store_true",
                      help="merge into what is there (nothing is removed) instead of replacing it")
    load.add_argument("--progress", action="store_true", help="draw progress on stderr even when not a terminal")
    load.add_argument("file", help="the JSON file ('-' for stdin)")
    load.set_defaults(run=_import)
    show = actions.add_parser("show", help="resource counts per service and scope, and the clock once moved")
    _scope_options(show)
    show.add_argument("--json", action="store_true", help="print the state views themselves")
    show.set_defaults(run=_show)

    inspect = commands.add_parser("catalog", help="show the resource families inferred from a service's model")
    inspect.add_argument("service", nargs="?", help="botocore service name (glue, apigateway, ...)")
    inspect.add_argument("--summary", action="store_true", help="counts for every service, and totals")
    inspect.add_argument("--json", action="store_true", help="JSON instead of text")
    inspect.set_defaults(run=_catalog)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CliError as error:
        print(f"hoarfrost: {error}", file=sys.stderr)
        return error.code


if __name__ == "__main__":
    sys.exit(main())
