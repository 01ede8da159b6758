"""Newsletter, send stage: a built edition → SMTP, once per recipient, resumable.

Inputs: the rendered edition, the recipients, an SMTP URL, the suppression list
(a plain frozenset; the CLI reads it). Every recipient ends the run with one
``Outcome``; the ledger keeps the final ones, and the report is folded from them.

Only a refusal of one recipient (5xx to RCPT, or a 5xx naming the address) is
permanent. A 5xx for the whole message says nothing about the recipient: it is
retried, then stops the run, and everyone not reached stays pending.
"""

from __future__ import annotations

import enum
import logging
import os
import smtplib
import ssl
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator import clock
from generator.config import SiteConfig
from generator.errors import UsageError, VeilleError
from generator.newsletter.ledger import Ledger
from generator.newsletter.recipients import Recipient
from generator.newsletter.render import RenderedEdition, build_message

log = logging.getLogger(__name__)

_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
# A server refusing whole messages rarely changes its mind within seconds: fewer attempts.
MESSAGE_ATTEMPTS = 3
Progress = Callable[[int, int], None]
Sleep = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """Where to send: ``smtp://`` (plain), ``smtp+starttls://`` or ``smtps://``."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """A permanent (5xx) refusal for one recipient."""

    email: str
    code: int
    message: str


class Status(enum.Enum):
    """What happened to one recipient (or, for ``DEFERRED``, to one attempt)."""

    SENT = "sent"
    ALREADY_SENT = "already sent"  # the ledger says so: never sent twice
    FAILED_BEFORE = "failed before"  # refused for good in an earlier run
    SUPPRESSED = "suppressed"  # unsubscribed
    REFUSED = "refused"  # a permanent (5xx) refusal of this recipient now
    DEFERRED = "deferred"  # a transient failure (or, with a 5xx code, a refused message)


FINAL = frozenset(Status) - {Status.DEFERRED}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One recipient's result in this run; a run is the list of these."""

    recipient: Recipient
    status: Status
    code: int = 0
    reason: str = ""

    @property
    def message_refused(self) -> bool:
        """The server refused the whole message, not this recipient."""
        return self.status is Status.DEFERRED and self.code >= 500

    @property
    def failure(self) -> Failure | None:
        if self.status is not Status.REFUSED:
            return None
        return Failure(self.recipient.email, self.code, self.reason)


@dataclass(frozen=True, slots=True)
class SendReport:
    """What one run did; ``pending`` recipients are left for the next run."""

    total: int
    sent: int = 0
    already_sent: int = 0
    suppressed: int = 0
    pending: int = 0
    retries: int = 0
    failed: tuple[Failure, ...] = ()
    seconds: float = 0.0
    dry_run: bool = False
    failed_before: int = 0

    @classmethod
    def fold(
        cls, total: int, outcomes: Sequence[Outcome], seconds: float, dry_run: bool = False
    ) -> SendReport:
        """The one place outcomes become counts: whoever has no final outcome is pending."""
        counts = Counter(o.status for o in outcomes)
        return cls(
            total,
            sent=counts[Status.SENT],
            already_sent=counts[Status.ALREADY_SENT],
            suppressed=counts[Status.SUPPRESSED],
            pending=total - sum(counts[s] for s in FINAL),
            retries=counts[Status.DEFERRED],
            failed=tuple(f for o in outcomes if (f := o.failure) is not None),
            seconds=seconds,
            dry_run=dry_run,
            failed_before=counts[Status.FAILED_BEFORE],
        )


class SendError(VeilleError):
    """The run stopped before every recipient was reached; running it again resumes."""

    exit_code = 3

    def __init__(self, message: str, report: SendReport) -> None:
        self.message = message
        self.report = report
        super().__init__(str(self))

    def __str__(self) -> str:
        return (
            f"{self.message}; {self.report.pending} recipient(s) not reached yet — "
            "run the same command again to resume (nobody gets the edition twice)"
        )


class NotDelivered(VeilleError):
    """The run ended but some recipients were refused (now or in an earlier run)."""

    exit_code = 3

    def __init__(self, report: SendReport) -> None:
        self.report = report
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.report.failed) + self.report.failed_before
        return (
            f"{count} recipient(s) not delivered (refused by the server); once the cause "
            "is fixed, run the same command with --retry-failed to send to them only"
        )


class SessionRefused(Exception):
    """The server refused the session itself (sender or login): no retry can help."""

    def __init__(self, code: int, text: str) -> None:
        self.code = code
        self.text = text
        super().__init__(f"{code} {text}")


def parse_smtp_url(url: str, environ: Mapping[str, str] | None = None) -> SmtpTarget:
    """Read an SMTP URL; credentials come from VEILLE_SMTP_USER / VEILLE_SMTP_PASSWORD."""
    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.hostname:
        raise UsageError(
            f"--smtp: expected smtp://host:port, smtp+starttls://host:port or "
            f"smtps://host:port, got {url!r}"
        )
    if parts.password:
        raise UsageError("--smtp: put the password in VEILLE_SMTP_PASSWORD, not in the URL")
    try:
        port = parts.port or _SCHEMES[parts.scheme]
    except ValueError:
        raise UsageError(f"--smtp: bad port in {url!r}") from None
    user = env.get("VEILLE_SMTP_USER") or (unquote(parts.username) if parts.username else None)
    return SmtpTarget(parts.scheme, parts.hostname, port, user, env.get("VEILLE_SMTP_PASSWORD"))


def connect(target: SmtpTarget, timeout: float = 30.0) -> smtplib.SMTP:
    """An authenticated SMTP session (TLS as the URL says)."""
    client: smtplib.SMTP
    if target.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=timeout)
        if target.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
    if target.username:
        client.login(target.username, target.password or "")
    return client


class _Limiter:
    """At most ``rate`` messages per second, evenly spaced."""

    def __init__(self, rate: float, sleep: Sleep) -> None:
        self.interval = 1.0 / rate
        self.sleep = sleep
        self.next = time.monotonic()

    def wait(self) -> None:
        delay = self.next - time.monotonic()
        if delay > 0:
            self.sleep(delay)
        self.next = max(self.next, time.monotonic()) + self.interval


_TRANSIENT = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
    OSError,
)


class SmtpSession:
    """The connection side of a run: paced, renewed every ``batch_size`` messages,
    dropped after any error so that the next attempt starts from a clean session."""

    def __init__(
        self, target: SmtpTarget, envelope: str, batch_size: int, rate: float, sleep: Sleep
    ) -> None:
        self.target = target
        self.envelope = envelope
        self.batch_size = batch_size
        self._limiter = _Limiter(rate, sleep)
        self._client: smtplib.SMTP | None = None
        self._in_session = 0

    def attempt(self, person: Recipient, message: EmailMessage) -> Outcome:
        """Offer one message once and classify the server's answer."""
        self._limiter.wait()
        try:
            if self._client is None or self._in_session >= self.batch_size:
                self.close()
                self._client = connect(self.target)
            self._client.send_message(message, from_addr=self.envelope, to_addrs=[person.email])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            if code >= 500:
                return Outcome(person, Status.REFUSED, code, _text(text))
            return self._deferred(person, str(code), code)
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code < 500:
                return self._deferred(person, str(exc.smtp_code), exc.smtp_code)
            if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError):
                raise SessionRefused(exc.smtp_code, _text(exc.smtp_error)) from None
            self.close()
            said = _text(exc.smtp_error)
            if person.key in said.lower():  # the server says which recipient it refuses
                return Outcome(person, Status.REFUSED, exc.smtp_code, said)
            return Outcome(person, Status.DEFERRED, exc.smtp_code, f"{exc.smtp_code} {said}")
        except _TRANSIENT as exc:
            return self._deferred(person, type(exc).__name__)
        self._in_session += 1
        return Outcome(person, Status.SENT)

    def _deferred(self, person: Recipient, reason: str, code: int = 0) -> Outcome:
        self.close()
        return Outcome(person, Status.DEFERRED, code, reason)

    def close(self) -> None:
        """End the session politely if the server still listens."""
        if self._client is not None:
            try:
                self._client.quit()
            except (smtplib.SMTPException, OSError):
                self._client.close()
        self._client, self._in_session = None, 0


def send_edition(
    rendered: RenderedEdition,
    config: SiteConfig,
    recipients: Iterable[Recipient],
    target: SmtpTarget,
    ledger_path: Path,
    *,
    token_for: Callable[[str], str],
    suppressed: frozenset[str] = frozenset(),
    dry_run: bool = False,
    retry_failed: bool = False,
    max_attempts: int = 6,
    backoff: float = 1.0,
    progress: Progress | None = None,
    sleep: Sleep = time.sleep,
) -> SendReport:
    """Send to every recipient not yet in the ledger and not suppressed; return what happened.

    With ``retry_failed``, recipients the ledger records as refused are tried again;
    those it records as sent never are.
    """
    started = time.perf_counter()
    people = list(recipients)
    total = len(people)
    ledger = Ledger(ledger_path)
    outcomes = list(_settled(people, ledger.load(), suppressed, retry_failed))
    settled = {o.recipient.key for o in outcomes}
    todo = [r for r in people if r.key not in settled]
    if dry_run:
        return SendReport.fold(total, outcomes, time.perf_counter() - started, dry_run=True)
    nl = config.newsletter
    session = SmtpSession(target, parseaddr(nl.sender)[1], nl.batch_size, nl.rate_per_second, sleep)
    reached = len(outcomes)
    if progress:
        progress(reached, total)
    try:
        for person in todo:
            message = build_message(
                rendered,
                config,
                to=formataddr((person.name, person.email)),
                token=token_for(person.email),
                date=clock.now(),
            )
            attempt = 0
            while True:
                attempt += 1
                outcome = session.attempt(person, message)
                outcomes.append(outcome)
                if outcome.status is not Status.DEFERRED:
                    break
                limit = (
                    min(max_attempts, MESSAGE_ATTEMPTS) if outcome.message_refused else max_attempts
                )
                if attempt >= limit:
                    raise SendError(
                        _stop_reason(outcome, attempt),
                        SendReport.fold(total, outcomes, time.perf_counter() - started),
                    )
                delay = min(60.0, backoff * 2 ** (attempt - 1))
                log.warning("SMTP failure (%s); retrying in %.1f s", outcome.reason, delay)
                sleep(delay)
            _record(ledger, outcome, str(message["Message-ID"]))
            reached += 1
            if progress:
                progress(reached, total)
    except SessionRefused as exc:
        raise SendError(
            f"the SMTP server refused the session: {exc}",
            SendReport.fold(total, outcomes, time.perf_counter() - started),
        ) from None
    finally:
        session.close()
        ledger.close()
    return SendReport.fold(total, outcomes, time.perf_counter() - started)


def _stop_reason(outcome: Outcome, attempts: int) -> str:
    if outcome.message_refused:
        return (
            f"the SMTP server refused the whole message {attempts} times ({outcome.reason}); "
            "stopped before anyone else got it refused too"
        )
    return f"the SMTP server kept failing ({outcome.reason}) after {attempts} attempts"


def _settled(
    people: Iterable[Recipient],
    done: Mapping[str, str],
    suppressed: frozenset[str],
    retry_failed: bool = False,
) -> Iterable[Outcome]:
    """Recipients this run must not contact: already sent, refused before, or unsubscribed."""
    for person in people:
        status = done.get(person.key)
        if status == "sent":
            yield Outcome(person, Status.ALREADY_SENT)
        elif status is not None and not retry_failed:
            yield Outcome(person, Status.FAILED_BEFORE)
        elif person.key in suppressed:
            yield Outcome(person, Status.SUPPRESSED)


def _record(ledger: Ledger, outcome: Outcome, msg_id: str) -> None:
    """Make a final outcome durable before the next message goes out."""
    email = outcome.recipient.email
    if outcome.status is Status.SENT:
        ledger.record(email, "sent", message_id=msg_id)
    elif outcome.status is Status.REFUSED:
        ledger.record(email, "failed", code=outcome.code, message=outcome.reason)
        log.warning(
            "permanent failure for line %d: %d %s",
            outcome.recipient.line,
            outcome.code,
            outcome.reason,
        )


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
