"""The set-up scripts install the system packages the tests and benchmarks need, and wait
for another apt-get or dpkg that holds the lock instead of failing."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fake_commands(tmp_path: Path, installed: bool) -> dict[str, str]:
    """A PATH where dpkg-query says whether anything is installed, apt-get only writes
    down how it was called, and the caller is root."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {
        "dpkg-query": f"echo '{'install ok installed' if installed else ''}'",
        "apt-get": 'echo "$@" >> "$APT_LOG"',
        "id": "echo 0",
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "APT_LOG": str(tmp_path / "apt.log")}


def test_missing_packages_are_installed_waiting_for_the_dpkg_lock(tmp_path: Path) -> None:
    env = fake_commands(tmp_path, installed=False)
    subprocess.run(
        ["bash", "scripts/apt-install", "the tests", "wrk", "chromium"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    update, install = Path(env["APT_LOG"]).read_text().splitlines()
    for call in (update, install):
        assert call.startswith("-o DPkg::Lock::Timeout=600 ")
    assert update.endswith("update -qq")
    assert install.split()[-2:] == ["wrk", "chromium"]


def test_nothing_is_run_when_everything_is_installed(tmp_path: Path) -> None:
    env = fake_commands(tmp_path, installed=True)
    for script in ("scripts/system-packages", "scripts/bench-packages"):
        subprocess.run(["bash", script], cwd=ROOT, env=env, check=True, capture_output=True)
    assert not Path(env["APT_LOG"]).exists()
