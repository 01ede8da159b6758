"""Authors of imported posts → person ids in ``people.yaml``, never duplicating anyone.

A source author is the person already listed with the same email, else the same id;
anyone else is appended (id slugified from the name), keeping the file as it was above.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from generator.importers.records import Author
from generator.text import slugify


@dataclass(frozen=True, slots=True)
class PeopleMerge:
    """Who each source author is now, and the people to add."""

    ids: dict[Author, str]
    added: tuple[dict[str, str], ...]


def merge_people(existing: list[Any], authors: Iterable[Author]) -> PeopleMerge:
    """Match every author to a person (by email, then id), adding those who are new."""
    people = [p for p in existing if isinstance(p, dict)]
    by_email = {str(p["email"]).lower(): str(p["id"]) for p in people if p.get("email")}
    taken = {str(p.get("id")) for p in people}
    ids: dict[Author, str] = {}
    added: list[dict[str, str]] = []
    for author in authors:
        if author in ids:
            continue
        email = (author.email or "").strip().lower()
        if email and email in by_email:
            ids[author] = by_email[email]
            continue
        known = next((i for i in (author.id, slugify(author.name)) if i and i in taken), None)
        if known is not None and not (
            email and _email_of(people + added, known) not in {"", email}
        ):
            ids[author] = known
            continue
        base = slugify(author.name)
        new_id, n = base, 1
        while new_id in taken:
            n += 1
            new_id = f"{base}-{n}"
        person = {"id": new_id, "name": author.name.strip() or new_id}
        if email:
            person["email"] = email
            by_email[email] = new_id
        added.append(person)
        taken.add(new_id)
        ids[author] = new_id
    return PeopleMerge(ids, tuple(added))


def _email_of(people: list[Any], person_id: str) -> str:
    person: dict[str, Any] = next((p for p in people if str(p.get("id")) == person_id), {})
    return str(person.get("email") or "").lower()


def people_text(text: str, existing: list[Any], added: tuple[dict[str, str], ...]) -> str:
    """``people.yaml`` with ``added`` appended; the existing text kept byte for byte when it
    is a block list (comments and order included), else the whole list written anew."""
    if not added:
        return text
    new = yaml.safe_dump(list(added), allow_unicode=True, sort_keys=False)
    if existing and text.strip():
        joined = text if text.endswith("\n") else text + "\n"
        joined += new
        try:
            if yaml.safe_load(joined) == [*existing, *added]:
                return joined
        except yaml.YAMLError:
            pass
    return yaml.safe_dump([*existing, *added], allow_unicode=True, sort_keys=False)
