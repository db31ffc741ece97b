"""The import-linter contracts of pyproject.toml: kept today, and really able to break."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
APPS = (
    "accounts",
    "audit",
    "documents",
    "identities",
    "notifications",
    "portal",
    "printer",
    "teleconsult",
)


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False
    )


def _copy_of_the_tree(tmp_path: Path) -> Path:
    for app in APPS:
        shutil.copytree(
            ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "migrations")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layers_contract_is_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_it_breaks_when_identities_imports_documents(tmp_path: Path) -> None:
    tree = _copy_of_the_tree(tmp_path)
    assert _lint_imports(tree).returncode == 0  # the copy alone is kept

    normalize = tree / "identities" / "normalize.py"
    normalize.write_text(normalize.read_text() + "\nfrom documents import services  # noqa\n")
    result = _lint_imports(tree)

    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert "identities.normalize -> documents.services" in result.stdout


def test_it_breaks_when_a_service_imports_http(tmp_path: Path) -> None:
    tree = _copy_of_the_tree(tmp_path)
    history = tree / "portal" / "services" / "history.py"
    history.write_text(history.read_text() + "\nfrom django.http import HttpRequest  # noqa\n")
    result = _lint_imports(tree)

    assert result.returncode == 1
    assert "no HTTP in the services packages BROKEN" in result.stdout
