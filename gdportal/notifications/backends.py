"""Development e-mail backend: one .eml file per message, so the DEBUG page can list and open them."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class MaildirBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_MESSAGES_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
            tmp = folder / (name + ".tmp")
            tmp.write_bytes(message.message().as_bytes())
            tmp.rename(folder / name)  # atomic: the page never lists a half-written file
        return len(email_messages)
