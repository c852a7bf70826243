"""Tell people: a Slack-compatible incoming webhook and email over SMTP.

The webhook URL is read from the environment variable the mission names; it is a secret
and never printed. SMTP comes from ``MISSIONKIT_SMTP_HOST`` (``_PORT``, ``_FROM``, ``_USER``,
``_PASSWORD``, ``_STARTTLS``). A channel that is not configured is skipped, and said so.
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

from missionkit.spec.model import Mission
from missionkit.templating import render_template, render_text

TIMEOUT = 10


@dataclass(frozen=True)
class Notice:
    """One message about a mission, for every channel."""

    kind: str  # ready | needs-human | failed | awaiting-signoff | closed | re-escalation
    mission: Mission
    subject: str
    text: str
    people: tuple[str, ...]
    url: str | None = None


def subject(kind: str, **context: object) -> str:
    """The subject line of a notice of ``kind`` (the template knows each kind's wording)."""
    return render_text("notify/subject.j2", {"kind": kind, "again": False, **context})


class Notifier:
    """Sends notices through the channels a mission configures."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        # GitHub passes an unset secret as "": treat empty as unset.
        self.env = {k: v for k, v in (os.environ if env is None else env).items() if v}
        self.sent: list[tuple[str, Notice]] = []

    def send(self, notice: Notice) -> list[str]:
        """Send through every configured channel; return one line per channel."""
        return [self._slack(notice), self._email(notice)]

    def _slack(self, notice: Notice) -> str:
        name = notice.mission.spec.escalation.slack_webhook_env
        if not name:
            return "slack: not configured"
        url = self.env.get(name)
        if not url:
            return f"slack: skipped, {name} is not set"
        payload = {"text": render_template("notify/slack.j2", {"n": notice}).strip()}
        try:
            if not url.startswith(("https://", "http://")):
                raise ValueError("not an http(s) URL")
            request = urllib.request.Request(  # noqa: S310 - the URL is the mission's webhook
                url,
                data=json.dumps(payload).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                status = response.status
        except (urllib.error.URLError, OSError, ValueError) as exc:
            # Name the error only: its text may contain the secret URL.
            return f"slack: failed ({type(exc).__name__})"
        self.sent.append(("slack", notice))
        return f"slack: sent ({status})"

    def _email(self, notice: Notice) -> str:
        to = notice.mission.spec.escalation.email
        if not to:
            return "email: not configured"
        host = self.env.get("MISSIONKIT_SMTP_HOST")
        if not host:
            return "email: skipped, MISSIONKIT_SMTP_HOST is not set"
        message = EmailMessage()
        message["Subject"] = f"[{notice.mission.id}] {notice.subject}"
        message["From"] = self.env.get("MISSIONKIT_SMTP_FROM", "missionkit@localhost")
        message["To"] = ", ".join(to)
        message.set_content(render_template("notify/email.j2", {"n": notice}))
        try:
            port = int(self.env.get("MISSIONKIT_SMTP_PORT", "25"))
            with smtplib.SMTP(host, port, timeout=TIMEOUT) as smtp:
                if self.env.get("MISSIONKIT_SMTP_STARTTLS") == "1":
                    smtp.starttls()
                user = self.env.get("MISSIONKIT_SMTP_USER")
                if user:
                    smtp.login(user, self.env.get("MISSIONKIT_SMTP_PASSWORD", ""))
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            return f"email: failed ({type(exc).__name__})"
        self.sent.append(("email", notice))
        return f"email: sent to {len(to)}"
