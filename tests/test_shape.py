"""The shape the code keeps: short functions and files in app/, the game's rules free of the
web and the database, and no branch on a level's kind outside app/game."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
MAX_FUNCTION_LINES = 60
MAX_FILE_LINES = 450


def sources() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def test_functions_and_files_stay_short() -> None:
    long = []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_FILE_LINES:
            long.append((str(path.relative_to(ROOT)), len(text.splitlines())))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                size = (node.end_lineno or first) - first + 1
                if size > MAX_FUNCTION_LINES:
                    long.append((f"{path.relative_to(ROOT)}:{node.name}", size))
    assert long == []


def test_the_game_imports_no_web_and_no_database() -> None:
    outside = re.compile(r"^\s*(from|import) (fastapi|starlette|sqlalchemy|app\.(?!game))", re.M)
    found = [
        str(path.relative_to(ROOT))
        for path in sorted((APP / "game").glob("*.py"))
        if outside.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_no_branch_on_a_levels_kind_outside_the_game() -> None:
    flag = re.compile(r"is_plane|\.rectangle\b|y_min is (not )?None|(lv|level)\.plane|lv\.mode")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in [*sources(), *sorted((ROOT / "templates").rglob("*.html"))]
        if APP / "game" not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if flag.search(line)
    ]
    assert found == []
