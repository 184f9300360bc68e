"""An SMTP session with one deadline per message over everything it does on the wire.

A socket timeout bounds one read or one write, so a server that drips its greeting or its EHLO
reply a byte at a time (or answers slowly at each step) can stretch a send far past any
timeout. Here every read and write of the session first sets the socket's timeout to what is
left of the current message's deadline, and fails at once when nothing is left: connect, the
greeting, EHLO, STARTTLS (its handshake included), AUTH, MAIL, RCPT and DATA share it.

`smtp_open` opens the session as Django's SMTP backend would (its host, port, TLS, login and
timeout settings) and installs it on the backend, so the backend's own close still works."""

import smtplib
import socket
import ssl
import time

from django.core.mail.utils import DNS_NAME


class Deadline:
    """When the current message must be done (time.monotonic()); moved on for each message."""

    def __init__(self, at: float):
        self.at = at

    def left(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("the send's deadline passed")
        return left


class _Armed:
    """Before each read or write: the socket's timeout is what is left of the deadline."""

    deadline: Deadline | None = None

    def _arm(self):
        if self.deadline is not None:
            self.settimeout(self.deadline.left())

    def recv(self, *args, **kwargs):
        self._arm()
        return super().recv(*args, **kwargs)

    def recv_into(self, *args, **kwargs):
        self._arm()
        return super().recv_into(*args, **kwargs)

    def send(self, *args, **kwargs):
        self._arm()
        return super().send(*args, **kwargs)

    def sendall(self, *args, **kwargs):
        # One timeout over the whole buffer (Python 3.5+), which is what is left.
        self._arm()
        return super().sendall(*args, **kwargs)


class _DeadlineSocket(_Armed, socket.socket):
    pass


class _DeadlineSSLSocket(_Armed, ssl.SSLSocket):
    # SSLSocket's recv/send go through read/write; the TLS handshake itself is one operation
    # under the timeout armed just before it (CPython bounds it as a whole).
    def read(self, *args, **kwargs):
        self._arm()
        return super().read(*args, **kwargs)

    def write(self, *args, **kwargs):
        self._arm()
        return super().write(*args, **kwargs)


def _context(context: ssl.SSLContext) -> ssl.SSLContext:
    context.sslsocket_class = _DeadlineSSLSocket  # the backend's own context, per backend
    return context


def _plain_socket(session, host, port, timeout) -> _DeadlineSocket:
    left = session.deadline.left()
    if timeout is None or timeout is socket._GLOBAL_DEFAULT_TIMEOUT:
        timeout = left
    plain = socket.create_connection((host, port), min(timeout, left), session.source_address)
    sock = _DeadlineSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
    sock.settimeout(min(timeout, left))
    sock.deadline = session.deadline
    return sock


class DeadlineSMTP(smtplib.SMTP):
    """smtplib.SMTP whose sockets (plain, then TLS after STARTTLS) keep to `deadline`."""

    def __init__(self, *, deadline: Deadline, **kwargs):
        self.deadline = deadline
        super().__init__(**kwargs)  # no host: nothing is connected until connect()

    def _get_socket(self, host, port, timeout):
        return _plain_socket(self, host, port, timeout)

    def starttls(self, *, context):
        self.sock._arm()
        reply = super().starttls(context=_context(context))
        self.sock.deadline = self.deadline
        return reply


class DeadlineSMTP_SSL(smtplib.SMTP_SSL):
    """smtplib.SMTP_SSL (implicit TLS) keeping to `deadline`, its handshake included."""

    def __init__(self, *, deadline: Deadline, **kwargs):
        self.deadline = deadline
        super().__init__(**kwargs)

    def _get_socket(self, host, port, timeout):
        sock = _plain_socket(self, host, port, timeout)
        sock._arm()
        wrapped = _context(self.context).wrap_socket(sock, server_hostname=self._host)
        wrapped.deadline = self.deadline
        return wrapped


def smtp_open(backend, *, deadline: Deadline) -> smtplib.SMTP:
    """Open `backend`'s session (connect, greeting, EHLO, STARTTLS, AUTH) within `deadline`
    and install it as the backend's connection. On failure the half-open session is left in
    the backend's `_partial_connection`, for the caller to drop."""
    kwargs = {"local_hostname": DNS_NAME.get_fqdn(), "deadline": deadline}
    if backend.timeout is not None:
        kwargs["timeout"] = backend.timeout
    if backend.use_ssl:
        session = DeadlineSMTP_SSL(context=backend.ssl_context, **kwargs)
    else:
        session = DeadlineSMTP(**kwargs)
    backend._partial_connection = session
    # smtplib takes the TLS server name (certificate check) from the host given to __init__,
    # which connected at once; this session connects below, under its deadline.
    session._host = backend.host
    session.connect(backend.host, backend.port)
    if backend.use_tls and not backend.use_ssl:
        session.starttls(context=backend.ssl_context)
    if backend.username and backend.password:
        session.login(backend.username, backend.password)
    backend.connection, backend._partial_connection = session, None
    return session


def smtp_session(backend, *, seconds: float) -> smtplib.SMTP:
    """The backend's session for one more message, which has `seconds` from now for all of it:
    the open session with its deadline moved on, or a new one opened within that time."""
    at = time.monotonic() + seconds
    session = backend.connection
    if isinstance(session, (DeadlineSMTP, DeadlineSMTP_SSL)):
        session.deadline.at = at
        return session
    smtp_drop(backend)  # a session opened elsewhere (or half open) has no deadline
    return smtp_open(backend, deadline=Deadline(at))


def smtp_drop(backend) -> None:
    """Close the backend's sessions without talking to the server again (a polite QUIT to a
    hung server would wait out another timeout); the next message opens a fresh one."""
    for name in ("connection", "_partial_connection"):
        session = getattr(backend, name, None)
        setattr(backend, name, None)
        if session is not None:
            try:
                session.close()
            except OSError:
                pass  # a broken socket has nothing left to close


def smtp_quit(backend, *, seconds: float) -> None:
    """End the backend's session politely, giving the QUIT at most `seconds`, then close it."""
    session = backend.connection
    if isinstance(session, (DeadlineSMTP, DeadlineSMTP_SSL)):
        session.deadline.at = time.monotonic() + seconds
        try:
            session.quit()
        except (OSError, smtplib.SMTPException):
            pass  # the message was sent (or recorded) already; only the goodbye is lost
    smtp_drop(backend)
