"""The fresh-machine path of scripts/bootstrap.sh, as a new user meets it.

Each case copies the working tree (what git tracks plus untracked, unignored files: a clean clone
of what is about to be committed) and runs its bootstrap with a HOME, a corepack home, an npm
prefix and caches of its own, on a PATH where no pnpm exists: node, npm, corepack and the system's
other tools only. The machine running the test may have pnpm installed anywhere; none of it is
visible to the bootstrap.

`make test` runs these; they need the npm registry (as the first `make test` does), no services.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PINNED = json.loads((ROOT / "package.json").read_text())["packageManager"].split("@")[1].split("+")[0]
HIDDEN = {"pnpm", "pnpx", "yarn", "yarnpkg"}
NODE_TOOLS = ("node", "npm", "npx", "corepack")


def _system_bin(dest: Path, hide: set[str]) -> Path:
    """A folder of links to every program on the current PATH except `hide` (first one wins)."""
    dest.mkdir(parents=True)
    for folder in os.environ["PATH"].split(os.pathsep):
        if not folder or not os.path.isdir(folder) or folder.startswith(str(ROOT)):
            continue
        for entry in os.scandir(folder):
            target = dest / entry.name
            if entry.name in hide or target.exists() or target.is_symlink():
                continue
            if entry.is_file() and os.access(entry.path, os.X_OK):
                target.symlink_to(os.path.realpath(entry.path))
    return dest


def _copy_tree(dest: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for rel in filter(None, files):
        src = ROOT / rel.decode()
        if not src.exists():  # deleted in the working tree, not yet committed
            continue
        out = dest / rel.decode()
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, out, follow_symlinks=False)
    return dest


class Fresh:
    """A clean copy of the checkout and a user with nothing installed."""

    def __init__(self, base: Path, hide: set[str]) -> None:
        self.checkout = _copy_tree(base / "citypulse")
        self.home = base / "home"
        self.home.mkdir()
        self.path = str(_system_bin(base / "bin", hide))
        self.env = {
            "HOME": str(self.home),
            "PATH": self.path,
            "USER": os.environ.get("USER", "citypulse"),
            "LANG": "C.UTF-8",
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "COREPACK_HOME": str(self.home / ".cache/node/corepack"),
            "npm_config_prefix": str(self.home / ".npm-global"),
            "npm_config_cache": str(self.home / ".npm"),
            "npm_config_store_dir": str(self.home / ".pnpm-store"),
        }
        # The machine's registry settings (mirrors, CA files) are part of the machine, not of what
        # a user installed: keep them.
        for key, value in os.environ.items():
            if key.lower().endswith(("_proxy", "_ca", "_cafile")) or key in ("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE"):
                self.env[key] = value

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), cwd=self.checkout, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def put_first_on_path(self, name: str, script: str) -> None:
        """A program of this name, ahead of everything else on the fresh PATH."""
        folder = self.home.parent / f"first-{name}"
        folder.mkdir()
        program = folder / name
        program.write_text(f"#!/bin/sh\n{script}\n")
        program.chmod(0o755)
        self.env["PATH"] = f"{folder}{os.pathsep}{self.env['PATH']}"

    def pnpm_version(self) -> str:
        out = self.run("bash", "-c", ". scripts/env.sh && command -v pnpm && pnpm --version")
        assert out.returncode == 0, out.stdout + out.stderr
        where, version = out.stdout.split()
        assert where.startswith(str(self.checkout)), f"pnpm from {where}, not the checkout's own"
        return version


@pytest.fixture
def base() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="citypulse-fresh-") as tmp:
        yield Path(tmp)


def _ok(out: subprocess.CompletedProcess[str]) -> None:
    assert out.returncode == 0, f"bootstrap failed ({out.returncode}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"


def test_fresh_machine_gets_pinned_pnpm_through_corepack_and_installs_the_workspace(base: Path) -> None:
    fresh = Fresh(base, HIDDEN)
    assert shutil.which("pnpm", path=fresh.path) is None
    assert shutil.which("corepack", path=fresh.path) is not None

    out = fresh.run("scripts/bootstrap.sh")
    _ok(out)
    assert fresh.pnpm_version() == PINNED
    assert "corepack" in out.stderr
    # the workspace installed: every package's node_modules, the lockfile untouched, a tool runs
    assert (fresh.checkout / "node_modules/.pnpm").is_dir()
    assert (fresh.checkout / "libs/kafka/node_modules/kafkajs").exists()
    tsc = fresh.run("bash", "-c", ". scripts/env.sh && pnpm exec tsc --version")
    assert tsc.returncode == 0 and tsc.stdout.startswith("Version "), tsc.stderr
    assert (
        fresh.run("git", "diff", "--quiet", "--no-index", str(ROOT / "pnpm-lock.yaml"), "pnpm-lock.yaml").returncode
        == 0
    )
    # nothing was written outside the checkout and the fresh HOME: no global pnpm appeared
    assert shutil.which("pnpm", path=fresh.path) is None

    # a second run is a no-op for the toolchain and still succeeds
    _ok(fresh.run("scripts/bootstrap.sh", "--toolchain-only"))
    assert fresh.pnpm_version() == PINNED


def test_without_corepack_pnpm_comes_from_npm(base: Path) -> None:
    fresh = Fresh(base, HIDDEN | {"corepack"})
    assert shutil.which("corepack", path=fresh.path) is None

    out = fresh.run("scripts/bootstrap.sh", "--toolchain-only")
    _ok(out)
    assert "through npm" in out.stderr
    assert fresh.pnpm_version() == PINNED


def test_a_pnpm_of_another_version_on_path_does_not_win(base: Path) -> None:
    fresh = Fresh(base, HIDDEN)
    fresh.put_first_on_path("pnpm", "echo 8.6.0")

    _ok(fresh.run("scripts/bootstrap.sh", "--toolchain-only"))
    assert fresh.pnpm_version() == PINNED


def test_a_broken_corepack_falls_back_to_npm(base: Path) -> None:
    fresh = Fresh(base, HIDDEN | {"corepack"})
    fresh.put_first_on_path("corepack", "echo 'Internal Error: something else went wrong' >&2; exit 1")

    out = fresh.run("scripts/bootstrap.sh", "--toolchain-only")
    _ok(out)
    assert "something else went wrong" in out.stderr  # the cause is shown, not swallowed
    assert fresh.pnpm_version() == PINNED


def test_without_node_the_bootstrap_says_so(base: Path) -> None:
    fresh = Fresh(base, HIDDEN | set(NODE_TOOLS))
    out = fresh.run("scripts/bootstrap.sh", "--toolchain-only")
    assert out.returncode != 0
    assert "Node.js 20 or newer" in out.stderr
