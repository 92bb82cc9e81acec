"""The ``hoarfrost`` command: run the server, and move state in and out of a running one.

    hoarfrost serve [--host H] [--port P] [--log-requests] [--blob-dir DIR | --state-dir DIR]
                    [--default-account A] [--default-region R] [--enforce-iam]
    hoarfrost state export --url URL [--service S [--account A] [--region R] | --blobs] [-o FILE]
    hoarfrost state import --url URL [--service S [--account A] [--region R]] [--merge] FILE
    hoarfrost state show   --url URL [--service S [--account A] [--region R]]
    hoarfrost catalog SERVICE [--json]
    hoarfrost catalog --summary [--json]

The state commands talk to the admin API (``/_hoarfrost/state``) with the standard library
only, so they work from any environment that can run Python. ``catalog`` shows what the
generic resource engine inferred from a service's model: its resource families, their
operations by role, identifiers and parents, and the operations it leaves unresolved.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

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
    from hoarfrost.server.persistence import Persister, PersistenceError

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
def _state_url(args: argparse.Namespace) -> str:
    base = args.url.rstrip("/") + "/_hoarfrost/state"
    if not args.service:
        if args.account or args.region:
            raise CliError("--account and --region need --service")
        return f"{base}?blobs=1" if getattr(args, "blobs", False) else base
    if getattr(args, "blobs", False):
        raise CliError("--blobs exports the whole emulator; drop --service")
    query = {key: value for key, value in (("account", args.account), ("region", args.region)) if value}
    url = f"{base}/{urllib.parse.quote(args.service, safe='')}"
    return f"{url}?{urllib.parse.urlencode(query)}" if query else url


def _call(method: str, url: str, body: bytes | None = None) -> Any:
    """One admin API call; JSON in and out. Admin errors become a ``CliError`` with their message."""
    request = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")
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


def _export(args: argparse.Namespace) -> int:
    text = json.dumps(_call("GET", _state_url(args)), indent=2, sort_keys=True) + "\n"
    if args.output and args.output != "-":
        with open(args.output, "w", encoding="utf-8") as file:
            file.write(text)
    else:
        sys.stdout.write(text)
    return 0


def _import(args: argparse.Namespace) -> int:
    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(args.file, "rb") as file:
            data = file.read()
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise CliError(f"{args.file} is not JSON: {exc}") from exc
    if isinstance(document, dict) and "views" in document:
        if args.service:
            raise CliError(f"{args.file} is a whole-emulator export; drop --service to import it")
        if args.merge:
            raise CliError("--merge applies to one service's view (use --service)")
        result = _call("PUT", _state_url(args), data)
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
    document = _call("GET", _state_url(args))
    if isinstance(document, dict) and "views" in document:
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

    state = commands.add_parser("state", help="export, import or show the state of a running server")
    actions = state.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write state as JSON (all services, or one scope's view)")
    _scope_options(export)
    export.add_argument("-o", "--output", help="file to write (default: stdout)")
    export.add_argument("--blobs", action="store_true",
                        help="the payloads the views name (S3 object bodies) come along, base64, so the file "
                             "alone rebuilds the environment; the server now always includes them")
    export.set_defaults(run=_export)
    load = actions.add_parser("import", help="restore state from an export (or merge one view)")
    _scope_options(load)
    load.add_argument("--merge", action="store_true", help="merge the view instead of replacing the scope")
    load.add_argument("file", help="the JSON file ('-' for stdin)")
    load.set_defaults(run=_import)
    show = actions.add_parser("show", help="pretty-print state")
    _scope_options(show)
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
