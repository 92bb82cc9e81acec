"""The shape every service package follows, and the layering of the packages, checked from the
source so that a new service (or a shortcut across layers) cannot drift from it unnoticed."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from botocore import xform_name

from hoarfrost.core.views import StatefulService
from hoarfrost.services import IMPLEMENTED

SRC = Path(__file__).resolve().parents[2] / "src" / "hoarfrost"
SERVICES = sorted(IMPLEMENTED)


def _runtime_imports(path: Path) -> set[str]:
    """Modules ``path`` imports when it runs (``if TYPE_CHECKING:`` blocks left out)."""
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.add(child.module)
                found.update(f"{child.module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return found


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_package_has_the_same_layout(name: str) -> None:
    package = SRC / "services" / name
    for required in ("__init__.py", "service.py", "state.py", "views.py", "handlers/__init__.py"):
        assert (package / required).is_file(), f"services/{name}/{required} is missing"
    module = importlib.import_module(f"hoarfrost.services.{name}")
    service = module.SERVICE
    assert issubclass(service, StatefulService) and service.name == name
    assert service.__module__ == f"hoarfrost.services.{name}.service"
    handlers = importlib.import_module(f"hoarfrost.services.{name}.handlers")
    assert service.operations is handlers.ops, "ops lives in handlers/__init__.py"


@pytest.mark.parametrize("name", SERVICES)
def test_an_operation_is_found_by_its_aws_name(name: str) -> None:
    """``grep -rn "def <snake_name>" src/hoarfrost/services/<service>/handlers`` finds every
    operation a service implements."""
    service = importlib.import_module(f"hoarfrost.services.{name}").SERVICE
    for operation, handler in service.operations.resolve().items():
        fn = inspect.unwrap(handler.fn)
        assert fn.__name__ == xform_name(operation), operation
        assert fn.__module__.startswith(f"hoarfrost.services.{name}.handlers."), (operation, fn.__module__)


@pytest.mark.parametrize("name", SERVICES)
def test_no_service_imports_another(name: str) -> None:
    """Services reach each other only through the delivery port in core."""
    others = tuple(f"hoarfrost.services.{other}" for other in SERVICES if other != name)
    for path in (SRC / "services" / name).rglob("*.py"):
        # A package name is matched whole: "dynamodb" is not "dynamodbstreams".
        crossing = sorted(m for m in _runtime_imports(path) if any(m == o or m.startswith(o + ".") for o in others))
        assert not crossing, f"{path.relative_to(SRC)} imports {crossing}"


# Below the pipeline: what protocols, routing and the kit may not reach back up to.
_LOWER = ["protocols", "core/routing", "core/kit", "core/errors.py", "core/http.py", "core/catalog.py",
          "core/clock.py", "core/ports.py", "core/kms_port.py", "core/backend.py", "core/accounts.py", "core/blobs.py"]
_UPPER = ("hoarfrost.core.emulator", "hoarfrost.core.operations", "hoarfrost.services", "hoarfrost.server",
          "hoarfrost.mock", "hoarfrost.cli")


@pytest.mark.parametrize("lower", _LOWER)
def test_lower_layers_do_not_import_the_pipeline(lower: str) -> None:
    root = SRC / lower
    paths = [root] if root.is_file() else sorted(root.rglob("*.py"))
    assert paths
    for path in paths:
        upward = sorted(m for m in _runtime_imports(path) if m.startswith(_UPPER))
        assert not upward, f"{path.relative_to(SRC)} imports {upward}"
