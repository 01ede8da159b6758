"""Newsletter, send stage: a built edition → SMTP, once per recipient, resumable.

Inputs: the rendered edition, the recipients CSV, an SMTP URL, the suppression
list. A per-edition ledger (JSON Lines, fsynced after every accepted message)
makes a run that was interrupted at any point resumable without duplicates.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

from generator import clock
from generator.config import SiteConfig
from generator.errors import ContentError, Problem, UsageError, VeilleError
from generator.newsletter.render import RenderedEdition, build_message, message_id

log = logging.getLogger(__name__)

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
Progress = Callable[[int, int], None]


class SendError(VeilleError):
    """The run stopped before every recipient was reached; running it again resumes."""

    def __init__(self, message: str, report: SendReport) -> None:
        self.message = message
        self.report = report
        super().__init__(str(self))

    def __str__(self) -> str:
        return (
            f"{self.message}; {self.report.pending} recipient(s) not reached yet — "
            "run the same command again to resume (nobody gets the edition twice)"
        )


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    """Where to send: ``smtp://`` (plain), ``smtp+starttls://`` or ``smtps://``."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    """One valid row of the recipients CSV."""

    email: str
    name: str
    line: int

    @property
    def key(self) -> str:
        return self.email.lower()


@dataclass(frozen=True, slots=True)
class InvalidRow:
    """A skipped row of the recipients CSV, with its line number."""

    line: int
    value: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.value!r}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Failure:
    """A permanent (5xx) refusal for one recipient."""

    email: str
    code: int
    message: str


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


def is_valid_email(value: str) -> bool:
    """A deliverable-looking ``local@domain.tld`` address (no display name, no spaces)."""
    return len(value) <= 254 and bool(_EMAIL.match(value))


def parse_recipients(text: str, path: Path) -> tuple[tuple[Recipient, ...], tuple[InvalidRow, ...]]:
    """Rows of a CSV with the header ``email,name``; bad or repeated addresses are set aside."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ContentError(
            [Problem(path, 1, "empty file (expected a header 'email,name')")]
        ) from None
    if "email" not in header:
        raise ContentError(
            [Problem(path, 1, f"expected a header 'email,name', got {','.join(header)!r}")]
        )
    col_email = header.index("email")
    col_name = header.index("name") if "name" in header else None
    good: list[Recipient] = []
    bad: list[InvalidRow] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        value = row[col_email].strip() if col_email < len(row) else ""
        name = row[col_name].strip() if col_name is not None and col_name < len(row) else ""
        if not is_valid_email(value):
            bad.append(InvalidRow(line, value, "not a valid email address"))
        elif value.lower() in seen:
            bad.append(InvalidRow(line, value, f"repeats line {seen[value.lower()]}"))
        else:
            seen[value.lower()] = line
            good.append(Recipient(value, name, line))
    return tuple(good), tuple(bad)


def load_recipients(path: Path) -> tuple[tuple[Recipient, ...], tuple[InvalidRow, ...]]:
    """Read the recipients CSV (UTF-8, a BOM tolerated)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"--recipients: no such file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(path, None, f"cannot read: {exc}")]) from None
    return parse_recipients(text, path)


def parse_suppressions(lines: Iterable[str]) -> frozenset[str]:
    """The ``suppression`` lines of a comments export (JSON Lines), lowercased."""
    found = set()
    for raw in lines:
        raw = raw.strip()
        if not raw:
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            continue  # the export's own reader reports these; here only suppressions matter
        if isinstance(record, dict) and record.get("type") == "suppression":
            email = record.get("email")
            if isinstance(email, str):
                found.add(email.strip().lower())
    return frozenset(found)


def load_suppressions(config: SiteConfig, export: Path | None = None) -> frozenset[str]:
    """Suppressed addresses from an export (``export`` or ``comments.snapshot``) or the database."""
    source = export or (
        config.resolve(config.comments.snapshot) if config.comments.snapshot else None
    )
    if source is not None:
        try:
            with source.open(encoding="utf-8") as handle:
                return parse_suppressions(handle)
        except OSError as exc:
            raise ContentError(
                [Problem(source, None, f"cannot read the suppression list: {exc}")]
            ) from None
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    url = config.database_url()
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        log.warning("no comments database at %s: nobody is suppressed", url)
        return frozenset()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT email FROM suppressions")).scalars().all()
    except SQLAlchemyError as exc:
        raise ContentError(
            [
                Problem(
                    config.source,
                    None,
                    f"cannot read suppressions: {exc.__class__.__name__}",
                    "comments.database",
                )
            ]
        ) from None
    finally:
        engine.dispose()
    return frozenset(str(r).strip().lower() for r in rows)


class Ledger:
    """Append-only JSON Lines of outcomes, fsynced per line; the truth about who got what."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def load(self) -> dict[str, str]:
        """Recipient (lowercased) → last outcome, ``sent`` or ``failed``."""
        outcomes: dict[str, str] = {}
        if not self.path.exists():
            return outcomes
        with self.path.open(encoding="utf-8") as handle:
            for raw in handle:
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError:
                    continue  # a line torn by a crash mid-write: that message was not recorded
                outcomes[str(record["email"]).lower()] = str(record["status"])
        return outcomes

    def record(self, email: str, status: str, **detail: object) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
            if self._handle.tell() and not self.path.read_bytes().endswith(b"\n"):
                self._handle.write("\n")  # never glue a record onto a torn line
        line = {"email": email, "status": status, "at": clock.now().isoformat(), **detail}
        self._handle.write(json.dumps(line, sort_keys=True) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


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

    def __init__(self, rate: float, sleep: Callable[[float], None]) -> None:
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
    max_attempts: int = 6,
    backoff: float = 1.0,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send to every recipient not yet in the ledger and not suppressed; return what happened."""
    started = time.perf_counter()
    people = list(recipients)
    ledger = Ledger(ledger_path)
    done = ledger.load()
    already = sum(1 for r in people if done.get(r.key) == "sent")
    failed_before = sum(1 for r in people if done.get(r.key) == "failed")
    skipped = sum(1 for r in people if r.key in suppressed and r.key not in done)
    todo = [r for r in people if r.key not in done and r.key not in suppressed]
    total = len(people)
    if dry_run:
        return SendReport(
            total,
            already_sent=already,
            suppressed=skipped,
            pending=len(todo),
            dry_run=True,
            failed_before=failed_before,
            seconds=time.perf_counter() - started,
        )
    envelope = parseaddr(config.newsletter.sender)[1]
    nl = config.newsletter
    limiter = _Limiter(nl.rate_per_second, sleep)
    failures: list[Failure] = []
    sent = retries = attempts = in_session = 0
    client: smtplib.SMTP | None = None
    index = 0
    reached = already + failed_before + skipped
    if progress:
        progress(reached, total)

    def close() -> None:
        nonlocal client, in_session
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
        client, in_session = None, 0

    try:
        while index < len(todo):
            person = todo[index]
            limiter.wait()
            try:
                if client is None or in_session >= nl.batch_size:
                    close()
                    client = connect(target)
                message = build_message(
                    rendered,
                    config,
                    to=formataddr((person.name, person.email)),
                    token=token_for(person.email),
                    date=clock.now(),
                )
                client.send_message(message, from_addr=envelope, to_addrs=[person.email])
                ledger.record(
                    person.email,
                    "sent",
                    message_id=message_id(config, rendered.edition.id, person.email),
                )
                sent += 1
                in_session += 1
                index += 1
                attempts = 0
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                if code >= 500:
                    _fail(ledger, failures, person, code, text)
                    index += 1
                    attempts = 0
                else:
                    attempts, client = _transient(
                        attempts, max_attempts, backoff, sleep, f"{code}", close
                    )
                    retries += 1
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code >= 500 and not isinstance(
                    exc, smtplib.SMTPSenderRefused | smtplib.SMTPAuthenticationError
                ):
                    _fail(ledger, failures, person, exc.smtp_code, exc.smtp_error)
                    index += 1
                    attempts = 0
                    close()
                elif exc.smtp_code >= 500:
                    raise SendError(
                        "the SMTP server refused the session: "
                        f"{exc.smtp_code} {_text(exc.smtp_error)}",
                        _report(
                            total,
                            sent,
                            already,
                            skipped,
                            len(todo) - index,
                            retries,
                            failures,
                            started,
                            failed_before,
                        ),
                    ) from None
                else:
                    attempts, client = _transient(
                        attempts, max_attempts, backoff, sleep, f"{exc.smtp_code}", close
                    )
                    retries += 1
            except _TRANSIENT as exc:
                attempts, client = _transient(
                    attempts, max_attempts, backoff, sleep, type(exc).__name__, close
                )
                retries += 1
            if progress:
                progress(reached + index, total)
    except _GiveUp as exc:
        raise SendError(
            f"the SMTP server kept failing ({exc.reason}) after {max_attempts} attempts",
            _report(
                total,
                sent,
                already,
                skipped,
                len(todo) - index,
                retries,
                failures,
                started,
                failed_before,
            ),
        ) from None
    finally:
        close()
        ledger.close()
    return _report(total, sent, already, skipped, 0, retries, failures, started, failed_before)


class _GiveUp(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _transient(
    attempts: int,
    max_attempts: int,
    backoff: float,
    sleep: Callable[[float], None],
    reason: str,
    close: Callable[[], None],
) -> tuple[int, None]:
    close()
    attempts += 1
    if attempts >= max_attempts:
        raise _GiveUp(reason)
    delay = min(60.0, backoff * 2 ** (attempts - 1))
    log.warning("transient SMTP failure (%s); retrying in %.1f s", reason, delay)
    sleep(delay)
    return attempts, None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _fail(
    ledger: Ledger, failures: list[Failure], person: Recipient, code: int, text: bytes | str
) -> None:
    message = _text(text)
    ledger.record(person.email, "failed", code=code, message=message)
    failures.append(Failure(person.email, code, message))
    log.warning("permanent failure for line %d: %d %s", person.line, code, message)


def _report(
    total: int,
    sent: int,
    already: int,
    skipped: int,
    pending: int,
    retries: int,
    failures: list[Failure],
    started: float,
    failed_before: int,
) -> SendReport:
    return SendReport(
        total,
        sent=sent,
        already_sent=already,
        suppressed=skipped,
        pending=pending,
        retries=retries,
        failed=tuple(failures),
        seconds=time.perf_counter() - started,
        failed_before=failed_before,
    )
