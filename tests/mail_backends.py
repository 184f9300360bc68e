"""Mail backends for the worker-process tests."""

import os
import smtplib
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class FlakyFileBackend(EmailBackend):
    """Fails with a transient SMTP error FLAKY_FAILURES times (counted in files, so across the
    worker's processes), then writes messages like the file backend."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("file_path", os.environ["EMAIL_FILE_PATH"])
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages):
        state = Path(os.environ["FLAKY_STATE_DIR"])
        failures = int(os.environ.get("FLAKY_FAILURES", "0"))
        if len(list(state.iterdir())) < failures:
            (state / f"failure-{len(list(state.iterdir()))}").touch()
            raise smtplib.SMTPResponseException(421, b"try again later")
        return super().send_messages(email_messages)
