"""The export format: JSON Lines of comments, reactions, accounts, suppressions, saved items,
moderation and notification settings.

``export_lines`` writes it from the store; ``parse_lines`` reads it back into the
generator's records (with file:line problems), for ``import`` and for the build.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from comments_api.store import STATUSES, Tx, utc
from comments_api.store.tables import MODERATION_ACTIONS
from generator.errors import ContentError, Problem
from generator.model import (
    AccountRecord,
    CommentRecord,
    CommentsData,
    ReactionRecord,
    SavedRecord,
)


@dataclass(frozen=True, slots=True)
class SuppressionRecord:
    """An address that unsubscribed from the newsletter (extension line type)."""

    email: str
    created: datetime


@dataclass(frozen=True, slots=True)
class ModerationRecord:
    """One moderation action: who approved, rejected, hid or deleted which comment, when."""

    comment_id: int
    action: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class NotificationSettingRecord:
    """A person's choice about reply and mention emails (extension line type)."""

    email: str
    person_id: str | None
    enabled: bool
    updated: datetime


@dataclass(frozen=True, slots=True)
class Exported:
    """A parsed export: the build's comments data, the suppression list, the moderation log."""

    data: CommentsData
    suppressions: tuple[SuppressionRecord, ...] = ()
    moderation: tuple[ModerationRecord, ...] = ()
    notification_settings: tuple[NotificationSettingRecord, ...] = ()


def _time(value: datetime | None) -> str | None:
    return None if value is None else utc(value).isoformat()


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def export_lines(tx: Tx) -> Iterator[str]:
    """Every record as one JSON object a line (without the newline), oldest first."""
    for row in tx.iter_table("comments"):
        yield _dump(
            {
                "type": "comment",
                "id": row["id"],
                "thread": row["path"],
                "parent": row["parent_id"],
                "author_name": row["author_name"],
                "email": row["email"],
                "person_id": row["person_id"],
                "body": row["body"],
                "status": row["status"],
                "created": _time(row["created"]),
                "edited": _time(row["edited"]),
            }
        )
    for row in tx.iter_table("reactions"):
        yield _dump(
            {
                "type": "reaction",
                "comment_id": row["comment_id"],
                "kind": row["kind"],
                "email": row["email"],
                "person_id": row["person_id"],
                "created": _time(row["created"]),
            }
        )
    for row in tx.iter_table("accounts"):
        yield _dump(
            {
                "type": "account",
                "email": row["email"],
                "person_id": row["person_id"],
                "first_seen": _time(row["first_seen"]),
            }
        )
    for row in tx.iter_table("suppressions"):
        yield _dump(
            {"type": "suppression", "email": row["email"], "created": _time(row["created"])}
        )
    for row in tx.iter_table("saved"):
        yield _dump(
            {
                "type": "saved",
                "email": row["email"],
                "person_id": row["person_id"],
                "thread": row["thread"],
                "created": _time(row["created"]),
            }
        )
    for row in tx.iter_table("moderation_log"):
        yield _dump(
            {
                "type": "moderation",
                "comment_id": row["comment_id"],
                "action": row["action"],
                "by": row["by"],
                "at": _time(row["at"]),
            }
        )
    for row in tx.iter_table("notification_settings"):
        yield _dump(
            {
                "type": "notification_setting",
                "email": row["email"],
                "person_id": row["person_id"],
                "enabled": bool(row["enabled"]),
                "updated": _time(row["updated"]),
            }
        )


class _LineError(ValueError):
    pass


def _field(
    obj: dict[str, Any], key: str, kind: type | tuple[type, ...], *, null: bool = False
) -> Any:
    if key not in obj:
        raise _LineError(f"missing '{key}'")
    value = obj[key]
    if value is None and null:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _LineError(f"'{key}': expected {_kind_name(kind)}{' or null' if null else ''}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(
        {"str": "a string", "int": "an integer"}.get(k.__name__, k.__name__) for k in kinds
    )


def _parse_time(obj: dict[str, Any], key: str, *, null: bool = False) -> datetime | None:
    text = _field(obj, key, str, null=null)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise _LineError(f"'{key}': not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise _LineError(f"'{key}': time without an offset: {text!r}")
    return utc(value)


def _record(obj: dict[str, Any]) -> object:
    kind = obj.get("type")
    if kind == "comment":
        status = _field(obj, "status", str)
        if status not in STATUSES:
            raise _LineError(f"'status': expected one of {', '.join(STATUSES)}, got {status!r}")
        thread = _field(obj, "thread", str)
        if not thread.startswith("/"):
            raise _LineError(f"'thread': expected an absolute path, got {thread!r}")
        return CommentRecord(
            id=_field(obj, "id", int),
            thread=thread,
            parent=_field(obj, "parent", int, null=True),
            author_name=_field(obj, "author_name", str),
            body=_field(obj, "body", str),
            status=status,
            created=_parse_time(obj, "created"),  # type: ignore[arg-type]
            edited=_parse_time(obj, "edited", null=True),
            email=_field(obj, "email", str, null=True),
            person_id=_field(obj, "person_id", str, null=True),
        )
    if kind == "reaction":
        return ReactionRecord(
            comment_id=_field(obj, "comment_id", int),
            kind=_field(obj, "kind", str),
            created=_parse_time(obj, "created"),  # type: ignore[arg-type]
            email=_field(obj, "email", str, null=True),
            person_id=_field(obj, "person_id", str, null=True),
        )
    if kind == "account":
        return AccountRecord(
            email=_field(obj, "email", str, null=True),
            person_id=_field(obj, "person_id", str, null=True),
            first_seen=_parse_time(obj, "first_seen"),  # type: ignore[arg-type]
        )
    if kind == "suppression":
        return SuppressionRecord(
            email=_field(obj, "email", str).strip().lower(),
            created=_parse_time(obj, "created"),  # type: ignore[arg-type]
        )
    if kind == "saved":
        thread = _field(obj, "thread", str)
        if not thread.startswith("/"):
            raise _LineError(f"'thread': expected an absolute path, got {thread!r}")
        created = _parse_time(obj, "created")
        assert created is not None  # not nullable: _parse_time raised otherwise
        return SavedRecord(
            email=_field(obj, "email", str).strip().lower(),
            person_id=_field(obj, "person_id", str, null=True),
            thread=thread,
            created=created,
        )
    if kind == "moderation":
        action = _field(obj, "action", str)
        if action not in MODERATION_ACTIONS:
            choices = ", ".join(MODERATION_ACTIONS)
            raise _LineError(f"'action': expected one of {choices}, got {action!r}")
        at = _parse_time(obj, "at")
        assert at is not None  # not nullable: _parse_time raised otherwise
        return ModerationRecord(_field(obj, "comment_id", int), action, _field(obj, "by", str), at)
    if kind == "notification_setting":
        enabled = obj.get("enabled")
        if not isinstance(enabled, bool):
            raise _LineError("'enabled': expected true or false")
        return NotificationSettingRecord(
            email=_field(obj, "email", str).strip().lower(),
            person_id=_field(obj, "person_id", str, null=True),
            enabled=enabled,
            updated=_parse_time(obj, "updated"),  # type: ignore[arg-type]
        )
    raise _LineError(
        "'type': expected comment, reaction, account, suppression, saved, moderation or "
        f"notification_setting, got {kind!r}"
    )


def parse_lines(lines: Iterable[str], source: str) -> Exported:
    """Read an export; every bad line is reported at once as ``source:line: problem``."""
    comments: list[CommentRecord] = []
    reactions: list[ReactionRecord] = []
    accounts: list[AccountRecord] = []
    suppressions: list[SuppressionRecord] = []
    saved: list[SavedRecord] = []
    moderation: list[ModerationRecord] = []
    settings: list[NotificationSettingRecord] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise _LineError("expected a JSON object")
            record = _record(obj)
        except json.JSONDecodeError as exc:
            problems.append(Problem(source, number, f"invalid JSON: {exc.msg}"))
            continue
        except _LineError as exc:
            problems.append(Problem(source, number, str(exc)))
            continue
        if isinstance(record, CommentRecord):
            comments.append(record)
        elif isinstance(record, ReactionRecord):
            reactions.append(record)
        elif isinstance(record, AccountRecord):
            accounts.append(record)
        elif isinstance(record, SuppressionRecord):
            suppressions.append(record)
        elif isinstance(record, SavedRecord):
            saved.append(record)
        elif isinstance(record, ModerationRecord):
            moderation.append(record)
        elif isinstance(record, NotificationSettingRecord):
            settings.append(record)
    if problems:
        raise ContentError(problems)
    return Exported(
        CommentsData(tuple(comments), tuple(reactions), tuple(accounts), tuple(saved)),
        tuple(suppressions),
        tuple(moderation),
        tuple(settings),
    )
