"""Production static files: `collectstatic` works with DEBUG=false (whitenoise's compressed
manifest storage), and the WSGI app that gunicorn runs serves the hashed files with far-future
caching. Run in subprocesses, since the storage is chosen when settings load."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SERVE_SNIPPET = """
import re
import django
django.setup()
from django.test import Client

client = Client()
page = client.get("/accounts/login/")
assert page.status_code == 200, page.status_code
href = re.search(r'href="(/static/css/gapmap\\.[0-9a-f]{12}\\.css)"', page.content.decode())
assert href, "the login page does not link the hashed stylesheet"
css = client.get(href.group(1), headers={"Accept-Encoding": "gzip"})
body = b"".join(css.streaming_content) if css.streaming else css.content
print(css.status_code, css.get("Cache-Control", ""), css.get("Content-Encoding", ""), len(body),
      sep="|")
"""


def production_env(tmp_path: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_")) and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="roadmap.settings",
        DEBUG="false",
        SECRET_KEY="production-static-test-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        GAPMAP_VAR_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        LOG_LEVEL="WARNING",
    )
    return env


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_collectstatic_builds_a_compressed_manifest_with_production_settings(tmp_path):
    env = production_env(tmp_path)

    result = run(["manage.py", "collectstatic", "--noinput", "-v0"], env)

    assert result.returncode == 0, result.stderr
    static = tmp_path / "static"
    manifest = json.loads((static / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/gapmap.css"]
    assert hashed != "css/gapmap.css"
    assert (static / hashed).exists()
    assert (static / f"{hashed}.gz").exists()  # whitenoise serves the compressed copy


def test_the_wsgi_app_serves_hashed_static_files_with_long_caching(tmp_path):
    env = production_env(tmp_path)
    assert run(["manage.py", "collectstatic", "--noinput", "-v0"], env).returncode == 0
    assert run(["manage.py", "migrate", "--noinput", "-v0"], env).returncode == 0

    result = run(["-c", SERVE_SNIPPET], env)

    assert result.returncode == 0, result.stderr
    status, cache_control, encoding, size = result.stdout.strip().splitlines()[-1].split("|")
    assert status == "200"
    assert "max-age=315360000" in cache_control and "immutable" in cache_control
    assert encoding == "gzip"
    assert int(size) > 0
