"""The lock file is the installed set: `make install` installs exactly uv.lock's versions."""

import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _locked() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {package["name"]: package["version"] for package in lock["package"]}


def test_the_lock_matches_pyproject():
    result = subprocess.run(
        [str(BIN / "uv"), "lock", "--check", "--offline"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_direct_dependency_is_installed_at_its_locked_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = _locked()
    names = [
        Requirement(spec).name
        for spec in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    ]
    for name in names:
        key = name.lower().replace("_", "-")
        assert importlib.metadata.version(name) == locked[key], name


def test_kombu_redis_transport_imports():
    # kombu's Redis transport imports packaging; a runtime-only install once lacked it.
    result = subprocess.run(
        [sys.executable, "-c", "import kombu.transport.redis"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "packaging" in _locked()
