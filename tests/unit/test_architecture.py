"""Dependencies point inward (DESIGN.md section 4): the domain is pure
Python, and the GraphQL layer reaches persistence only through the
composition root."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DOMAIN_FORBIDDEN = {
    "sqlalchemy",
    "strawberry",
    "fastapi",
    "pydantic_settings",
    "asyncpg",
    "starlette",
    "api",
    "persistence",
}

# The composition root: the only api modules that wire persistence in.
COMPOSITION_ROOT = {"api/context.py", "api/loaders.py", "api/runtime.py", "api/app.py"}


def _modules(folder: str) -> list[Path]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, f"no modules under {folder}/"
    return files


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module a file imports, anywhere in it (also inside functions and
    `if TYPE_CHECKING:`), with relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = list(path.relative_to(root).parts[:-1])
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _top_level(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules if m}


@pytest.mark.parametrize("path", _modules("domain"), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_imports_no_framework(path: Path) -> None:
    forbidden = _top_level(imported_modules(path)) & DOMAIN_FORBIDDEN
    assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


@pytest.mark.parametrize("path", _modules("api/graphql"), ids=lambda p: str(p.relative_to(ROOT)))
def test_graphql_layer_does_not_import_persistence(path: Path) -> None:
    assert "persistence" not in _top_level(imported_modules(path)), (
        f"{path.relative_to(ROOT)} imports persistence; only the composition root "
        f"({', '.join(sorted(COMPOSITION_ROOT))}) may"
    )


def test_only_the_composition_root_imports_persistence() -> None:
    # The CLI is the other process entry point: `trellis migrate --revision`
    # runs persistence.migrate directly.
    allowed = COMPOSITION_ROOT | {"api/cli.py"}
    importers = {
        str(path.relative_to(ROOT))
        for path in _modules("api")
        if "persistence" in _top_level(imported_modules(path))
    }
    assert importers <= allowed, sorted(importers - allowed)


def test_the_import_scanner_sees_every_form(tmp_path: Path) -> None:
    """A control: the checks above are only as good as this scanner."""
    package = tmp_path / "domain" / "sub"
    package.mkdir(parents=True)
    sample = package / "sample.py"
    sample.write_text(
        "import sqlalchemy.orm\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from strawberry import relay\n"
        "def f():\n"
        "    from ..ports import UnitOfWork\n"
        "    from . import sibling\n"
        "    import importlib\n"
        "    return importlib.import_module('persistence.tables')\n"
    )
    modules = imported_modules(sample, tmp_path)
    assert {
        "sqlalchemy.orm",
        "strawberry",
        "domain.ports",
        "domain.sub",
        "persistence.tables",
    } <= modules
    assert _top_level(modules) & DOMAIN_FORBIDDEN == {"sqlalchemy", "strawberry", "persistence"}
