"""The expression parser run in a process of its own, watched: what the fuzz test sends is
parsed and compiled here, so a call that hangs can be cut off from outside, and anything the
text might try to do (run a command, import a module, open a file, set a builtin) trips a
canary in this process instead of the test run's."""

from __future__ import annotations

import builtins
import os
import sys
import time
from typing import Any

CANARY = "downhill_canary"  # a module, a file and a builtin that only executed text could touch
_ALARMS = (
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.kill",
    "os.remove",
    "os.rename",
    "os.mkdir",
    "os.chmod",
    "subprocess.Popen",
    "socket.",
    "shutil.",
    "ctypes.",
    "webbrowser.",
)
_tripped: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event.startswith(_ALARMS):
        _tripped.append(event)
    elif event in ("open", "import") and args and CANARY in str(args[0]):
        _tripped.append(f"{event} {args[0]}")


def arm(directory: str) -> None:
    """Start watching (once per worker process); canary files would appear in ``directory``."""
    os.chdir(directory)
    sys.addaudithook(_audit)


def check(text: str, xs: tuple[float, ...] = (-1.5, 0.0, 0.5, 3.0)) -> dict[str, Any]:
    """Parse and compile ``text`` as the level editor does, and say what came of it.

    Returns the outcome ("compiled", with f and f' at a few points, or "refused", with the
    error's code and place), the seconds it took, and any canary tripped. Any exception but
    the module's own error goes back to the test as it is."""
    from app.game.expression import ExpressionError, compile_function

    started = time.perf_counter()
    try:
        fn = compile_function(text)
    except ExpressionError as error:
        outcome: dict[str, Any] = {
            "outcome": "refused",
            "code": error.code,
            "position": error.position,
        }
    else:
        points = [fn.at(x) for x in xs]
        assert all(isinstance(p.fx, float) and isinstance(p.slope, float) for p in points)
        outcome = {"outcome": "compiled", "values": [(p.fx, p.slope) for p in points]}
    outcome["seconds"] = time.perf_counter() - started
    outcome["tripped"] = list(_tripped)
    outcome["tripped"] += [f"builtin {CANARY}"] if hasattr(builtins, CANARY) else []
    outcome["tripped"] += [f"file {CANARY}"] if os.path.exists(CANARY) else []
    _tripped.clear()
    return outcome
