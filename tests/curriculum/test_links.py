"""check_links against a local HTTPS server on 127.0.0.1 answering 200, a 301 to a 200, 404, a
HEAD refused with 405 (GET works), and one that hangs. Nothing leaves loopback."""

import shutil
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.core.management import call_command

from curriculum.links import NO_ANSWER, url_status, urls_check
from curriculum.models import Resource
from curriculum.tasks import resource_links_check_task
from tests import factories

pytestmark = pytest.mark.django_db

HANG_SECONDS = 3
TIMEOUT = 0.5


class Handler(BaseHTTPRequestHandler):
    seen: list = []

    def _answer(self, body: bool):
        Handler.seen.append((self.command, self.path))
        path = self.path.split("?")[0]
        if path == "/hang":
            time.sleep(HANG_SECONDS)
            return
        if path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        if path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
            self.end_headers()
            return
        status = 200 if path in ("/ok", "/no-head") else 404
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"hi")

    def do_HEAD(self):  # noqa: N802 (http.server's name)
        self._answer(body=False)

    def do_GET(self):  # noqa: N802
        self._answer(body=True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.fail("needs the openssl command to make a test certificate (make test installs it)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"https://127.0.0.1:{httpd.server_address[1]}"
    yield base, str(cert)
    httpd.shutdown()
    httpd.server_close()


def client_context(cafile):
    return ssl.create_default_context(cafile=cafile)


def test_url_status_follows_redirects_and_falls_back_to_get(server):
    base, cafile = server
    context = client_context(cafile)
    assert url_status(f"{base}/ok", timeout=TIMEOUT, context=context) == 200
    assert url_status(f"{base}/moved", timeout=TIMEOUT, context=context) == 200
    assert url_status(f"{base}/missing", timeout=TIMEOUT, context=context) == 404
    Handler.seen.clear()
    assert url_status(f"{base}/no-head", timeout=TIMEOUT, context=context) == 200
    assert Handler.seen == [("HEAD", "/no-head"), ("GET", "/no-head")]


def test_a_hanging_server_is_no_answer_after_the_timeout(server):
    base, cafile = server
    started = time.monotonic()
    assert url_status(f"{base}/hang", timeout=TIMEOUT, context=client_context(cafile)) == 0
    # HEAD and GET each wait at most the timeout.
    assert time.monotonic() - started < HANG_SECONDS


def test_an_untrusted_certificate_is_no_answer(server):
    base, _ = server
    assert url_status(f"{base}/ok", timeout=TIMEOUT) == NO_ANSWER


def test_urls_are_checked_concurrently_and_once_each(server):
    base, cafile = server
    urls = [f"{base}/hang", f"{base}/hang?2", f"{base}/hang?3", f"{base}/ok", f"{base}/ok"]
    started = time.monotonic()
    result = urls_check(urls, timeout=TIMEOUT, workers=4, context=client_context(cafile))
    elapsed = time.monotonic() - started
    assert result == {urls[0]: 0, urls[1]: 0, urls[2]: 0, urls[3]: 200}
    # Three hangs of up to two timeouts each, side by side rather than one after another.
    assert elapsed < 3 * 2 * TIMEOUT


def test_check_links_command_records_status_and_time_on_every_row(server, capsys):
    base, cafile = server
    python = factories.CompetencyFactory()
    ok = factories.ResourceFactory(competency=python, url=f"{base}/ok")
    same = factories.ResourceFactory(url=f"{base}/ok")  # another competency, same URL
    moved = factories.ResourceFactory(competency=python, url=f"{base}/moved")
    gone = factories.ResourceFactory(competency=python, url=f"{base}/missing")
    hung = factories.ResourceFactory(competency=python, url=f"{base}/hang")

    call_command("check_links", timeout=TIMEOUT, cafile=cafile)

    out = capsys.readouterr().out
    assert "checked 4 links; 2 broken" in out
    assert f"broken (404): {base}/missing" in out
    assert f"broken (no answer): {base}/hang" in out
    rows = {r.pk: r for r in Resource.objects.all()}
    assert [rows[r.pk].last_status for r in (ok, same, moved, gone, hung)] == [
        200,
        200,
        200,
        404,
        0,
    ]
    assert all(r.last_checked_at is not None for r in rows.values())
    assert set(Resource.objects.broken()) == {rows[gone.pk], rows[hung.pk]}


def test_the_task_runs_the_check_and_is_scheduled_weekly():
    factories.ResourceFactory(url="https://127.0.0.1:9/closed-port")
    assert resource_links_check_task() == {"checked": 1, "broken": 1}
    assert Resource.objects.get().last_status == 0
    entry = settings.CELERY_BEAT_SCHEDULE["resource-links-check"]
    assert entry["task"] == "curriculum.tasks.resource_links_check_task"
    assert entry["schedule"].day_of_week == {1}
