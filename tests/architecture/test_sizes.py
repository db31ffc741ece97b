"""Every file has an obvious home: no module past 500 lines, no view past ~30 lines."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every app of the project (a folder with an apps.py), so a new app cannot escape.
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))
MAX_MODULE_LINES = 500
MAX_VIEW_LINES = 32  # decorators and docstring included


def _modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_view_is_over_about_30_lines() -> None:
    long = {}
    for path in _modules():
        if path.name != "views.py":
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                if (lines := node.end_lineno - start + 1) > MAX_VIEW_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert long == {}
