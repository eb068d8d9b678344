"""Outgoing mail: SMTP when configured, files in a folder for development and tests."""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

from flask import current_app


def mail_configured() -> bool:
    """Tell whether Dela can send mail."""
    return bool(current_app.config.get("MAIL_SERVER") or current_app.config.get("MAIL_OUTBOX_DIR"))


def send_mail(to: str, subject: str, body: str, outbox_dir: str | Path | None = None) -> None:
    """Send a plain-text message; into outbox_dir (or MAIL_OUTBOX_DIR) as an .eml file when one is given."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    folder = outbox_dir or config.get("MAIL_OUTBOX_DIR")
    if folder:
        outbox = Path(folder)
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{time.time_ns()}.eml").write_bytes(bytes(message))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
