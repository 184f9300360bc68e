"""A local SMTP server (aiosmtpd, in a thread of the test process) that accepts, hangs, drips and
fails on demand, for the reminder fault tests. It records which deliveries (X-Gapmap-Delivery) it
received in full and which it accepted, so a test counts exactly what a recipient would get."""

import asyncio
import contextlib
import re
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.services import free_port


@dataclass
class FaultyHandler:
    """What the server does, set per test. Counters say how many more times a fault happens;
    `*_for` limit a fault to some recipients (empty: everyone)."""

    hang_seconds: float = 5.0
    hang_ehlo: int = 0  # sleep before answering EHLO (the connect phase)
    hang_rcpt: int = 0  # sleep before answering RCPT TO
    hang_rcpt_for: set = field(default_factory=set)
    hang_data: int = 0  # take the whole message, then never answer (as if the reply was lost)
    fail_data_451: int = 0  # take the whole message, then answer 451 (not accepted)
    reject_rcpt_550: bool = False
    # Drip a reply a byte at a time, each byte `drip_seconds` after the last: never silent long
    # enough for a socket timeout, yet the reply takes (length x drip_seconds) in all.
    drip_seconds: float = 0.1
    drip_greeting: int = 0  # the 220 greeting (the connect phase)
    drip_ehlo: int = 0  # the EHLO reply
    drip_354: int = 0  # the go-ahead for DATA (nothing of the message sent yet)
    drip_data: int = 0  # the reply to the whole message (the server has it)
    accepted: list = field(default_factory=list)  # delivery ids the server took responsibility for
    refused: list = field(default_factory=list)  # delivery ids it answered 451 to
    events: list = field(default_factory=list)  # ("ehlo" | "rcpt" | "data", detail)
    rcpt_at: list = field(default_factory=list)  # (address, time.monotonic()) per RCPT
    accepted_at: dict = field(default_factory=dict)  # delivery id -> time.monotonic() accepted

    def __post_init__(self):
        self.lock = threading.Lock()

    def _take(self, name: str) -> bool:
        with self.lock:
            if getattr(self, name) > 0:
                setattr(self, name, getattr(self, name) - 1)
                return True
            return False

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.events.append(("ehlo", hostname))
        if self._take("hang_ehlo"):
            await asyncio.sleep(self.hang_seconds)
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.events.append(("rcpt", address))
        self.rcpt_at.append((address, time.monotonic()))
        if (not self.hang_rcpt_for or address in self.hang_rcpt_for) and self._take("hang_rcpt"):
            await asyncio.sleep(self.hang_seconds)
        if self.reject_rcpt_550:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        text = envelope.content.decode("utf-8", errors="replace")
        match = re.search(r"^X-Gapmap-Delivery: (\d+)\r?$", text, re.M)
        delivery_id = int(match.group(1)) if match else None
        self.events.append(("data", delivery_id))
        if self._take("fail_data_451"):
            self.refused.append(delivery_id)
            return "451 4.3.0 Try again later"
        self.accepted.append(delivery_id)  # queued: from here the recipient gets it
        self.accepted_at.setdefault(delivery_id, time.monotonic())
        if self._take("hang_data"):
            await asyncio.sleep(self.hang_seconds)
        return "250 OK queued"


class _DrippingSMTP(SMTP):
    """aiosmtpd's server, writing the replies its handler says to drip a byte at a time."""

    _greeted = False
    _dripping = ()  # the reply codes of the current command to drip ("*": every reply)

    async def push(self, status):
        handler = self.event_handler
        text = status.decode() if isinstance(status, bytes) else status
        drip = text[:3] in self._dripping or "*" in self._dripping
        if not self._greeted:  # the first reply of a connection is its 220 greeting
            self._greeted = True
            drip = handler._take("drip_greeting")
        if not drip:
            return await super().push(status)
        try:
            for byte in text.encode() + b"\r\n":
                if self._reader.at_eof():  # the client gave up: stop talking to no one
                    break
                self._writer.write(bytes([byte]))
                await self._writer.drain()
                await asyncio.sleep(handler.drip_seconds)
        except asyncio.CancelledError:
            # The server is stopping. aiosmtpd closes the connection itself only when this
            # happens inside a command, not during the greeting.
            self._writer.close()
            raise

    async def smtp_EHLO(self, hostname):
        self._dripping = ("*",) if self.event_handler._take("drip_ehlo") else ()
        try:
            return await super().smtp_EHLO(hostname)
        finally:
            self._dripping = ()

    async def smtp_DATA(self, arg):
        handler = self.event_handler
        self._dripping = (
            *(("354",) if handler._take("drip_354") else ()),
            *(("250", "451") if handler._take("drip_data") else ()),
        )
        try:
            return await super().smtp_DATA(arg)
        finally:
            self._dripping = ()


class _Controller(Controller):
    def factory(self):
        return _DrippingSMTP(self.handler, **self.SMTP_kwargs)


@contextlib.contextmanager
def running_smtp_server(handler: FaultyHandler, *, tls_context=None, ssl_context=None):
    """The server on a free port; with `tls_context` (a server-side SSLContext) it offers
    STARTTLS, with `ssl_context` it speaks TLS from the start (SMTPS)."""
    extra = {"tls_context": tls_context} if tls_context is not None else {}
    if ssl_context is not None:
        extra["ssl_context"] = ssl_context
    controller = _Controller(
        handler, hostname="127.0.0.1", port=free_port(), ready_timeout=10, **extra
    )
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def smtp_mailers(controller, *, timeout: float = 1) -> dict:
    """MAILERS pointing Django's SMTP backend at the test server."""
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": controller.hostname,
                "port": controller.port,
                "use_tls": False,
                "timeout": timeout,
            },
        }
    }
