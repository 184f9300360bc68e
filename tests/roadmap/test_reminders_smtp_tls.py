"""The per-message deadline holds over STARTTLS and implicit TLS too (roadmap/smtp.py): after
the handshake the session's reads and writes go through the TLS socket, which keeps to the same
deadline."""

import shutil
import ssl
import subprocess
import time

import pytest
from django.core.mail import EmailMultiAlternatives, mailers

from roadmap.services import deliveries
from roadmap.smtp import _DeadlineSSLSocket
from tests.smtp_server import FaultyHandler, running_smtp_server, smtp_mailers


@pytest.fixture
def tls(tmp_path):
    if shutil.which("openssl") is None:
        pytest.fail("needs the openssl command to make a test certificate (make test installs it)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


@pytest.fixture
def smtp(settings, tls):
    server_context, client_context = tls
    handler = FaultyHandler()
    with running_smtp_server(handler, tls_context=server_context) as controller:
        settings.MAILERS = smtp_mailers(controller, timeout=1)
        settings.MAILERS["default"]["OPTIONS"]["use_tls"] = True
        handler.client_context = client_context
        yield handler


def message():
    mail = EmailMultiAlternatives("Hi", "Body", "gapmap@localhost", ["learner@example.com"])
    mail.extra_headers["X-Gapmap-Delivery"] = "7"
    return mail


def backend(smtp):
    connection = mailers.default
    connection.ssl_context = smtp.client_context  # trust the test certificate
    return connection


def test_a_message_goes_out_over_starttls_on_a_deadline_socket(smtp):
    connection = backend(smtp)
    deliveries.mail_send(connection=connection, message=message(), on_data=lambda: None)
    assert isinstance(connection.connection.sock, _DeadlineSSLSocket)
    assert smtp.accepted == [7]
    deliveries.mail_close(connection=connection)


def test_a_reply_dripped_over_tls_is_cut_off_at_the_deadline(smtp):
    smtp.drip_data = 1
    connection = backend(smtp)
    started = time.monotonic()
    with pytest.raises(deliveries.SendFailed) as failed:
        deliveries.mail_send(connection=connection, message=message(), on_data=lambda: None)
    assert time.monotonic() - started < 1.8
    assert failed.value.data_started  # the message went out: unknown, never resent
    assert deliveries.send_verdict(failed.value.error, data_started=True) == "unknown"


def test_implicit_tls_keeps_to_the_deadline_too(settings, tls):
    server_context, client_context = tls
    handler = FaultyHandler()
    with running_smtp_server(handler, ssl_context=server_context) as controller:
        settings.MAILERS = smtp_mailers(controller, timeout=1)
        settings.MAILERS["default"]["OPTIONS"].update(use_tls=False, use_ssl=True)
        handler.client_context = client_context
        connection = backend(handler)
        deliveries.mail_send(connection=connection, message=message(), on_data=lambda: None)
        assert isinstance(connection.connection.sock, _DeadlineSSLSocket)
        handler.drip_data = 1
        started = time.monotonic()
        with pytest.raises(deliveries.SendFailed):
            deliveries.mail_send(connection=connection, message=message(), on_data=lambda: None)
        assert time.monotonic() - started < 1.8
    assert handler.accepted == [7, 7]
