"""Notifications, send stage: digests → SMTP, each exactly once, through a ledger.

The ledger (the comments store, behind the ``NotificationLedger`` protocol) records a
digest's rows ``pending`` with its Message-ID *before* the email goes out and marks
them after, so a crash or a 421 midway leaves pending rows that the next run sends
again, as the same message. The SMTP side is the newsletter's ``SmtpSession``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from jinja2 import Environment

from generator import clock
from generator.config import SiteConfig
from generator.model import Digest
from generator.newsletter.recipients import Recipient
from generator.newsletter.send import (
    SessionRefused,
    Sleep,
    SmtpSession,
    SmtpTarget,
    Status,
)
from generator.notifications.render import build_message, envelope_sender, message_id

log = logging.getLogger(__name__)


class NotificationLedger(Protocol):
    """Where digests are recorded: ``begin`` before sending, ``finish`` after."""

    def begin(self, digest: Digest, msg_id: str) -> None: ...

    def finish(self, digest: Digest, msg_id: str, status: str) -> None: ...


@dataclass(frozen=True, slots=True)
class NotifyReport:
    """What one run did; ``undelivered`` people get their email on a later run."""

    total: int
    sent: int = 0
    refused: tuple[str, ...] = ()
    undelivered: tuple[str, ...] = ()
    resumed: int = 0
    dry_run: bool = False


def send_digests(
    digests: Sequence[Digest],
    config: SiteConfig,
    env: Environment,
    target: SmtpTarget,
    ledger: NotificationLedger,
    *,
    token_for: Callable[[str], str],
    dry_run: bool = False,
    sleep: Sleep = time.sleep,
) -> NotifyReport:
    """Send one email per digest; a transient failure leaves that digest pending."""
    resumed = sum(1 for d in digests if d.message_id)
    if dry_run:
        return NotifyReport(len(digests), resumed=resumed, dry_run=True)
    nl = config.newsletter
    session = SmtpSession(target, envelope_sender(config), nl.batch_size, nl.rate_per_second, sleep)
    sent = 0
    refused: list[str] = []
    undelivered: list[str] = []
    try:
        for index, digest in enumerate(digests):
            msg_id = digest.message_id or message_id(config, digest)
            if digest.message_id is None:
                ledger.begin(digest, msg_id)  # durable before a byte goes out
            message = build_message(
                digest, config, env, token=token_for(digest.email), msg_id=msg_id, date=clock.now()
            )
            try:
                outcome = session.attempt(Recipient(digest.email, digest.name, 0), message)
            except SessionRefused as exc:
                log.warning("the SMTP server refused the session: %s", exc)
                undelivered.extend(d.email for d in digests[index:])
                break
            if outcome.status is Status.SENT:
                ledger.finish(digest, msg_id, "sent")
                sent += 1
            elif outcome.status is Status.REFUSED:
                ledger.finish(digest, msg_id, "failed")
                refused.append(digest.email)
                log.warning("permanent failure: %d %s", outcome.code, outcome.reason)
            else:  # deferred: the rows stay pending; the next run sends this same message
                undelivered.append(digest.email)
                log.warning("transient SMTP failure (%s); left for the next run", outcome.reason)
    finally:
        session.close()
    return NotifyReport(len(digests), sent, tuple(refused), tuple(undelivered), resumed)
