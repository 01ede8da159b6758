"""ImportedSource → posts, bundles, people and comments on disk, re-runnable and safe.

Plans every path first (slugs unique per year, kept across runs by the manifest),
then writes only what changed, and never a post someone edited since the last import.
``dry_run`` goes through the same steps and writes nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem
from generator.importers.links import LinkMap, rewrite_links
from generator.importers.manifest import (
    Entry,
    digest,
    load_manifest,
    manifest_bytes,
    write_if_changed,
)
from generator.importers.people import merge_people, people_text
from generator.importers.records import Attachment, ImportedPost, ImportedSource, Note, Where
from generator.importers.threads import comment_lines
from generator.text import counted

Fetch = Callable[[str], bytes]  # raises on failure; the message says why
Progress = Callable[[int, int, str], None]  # done, total, what


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Where to write and how."""

    content_dir: Path  # --into: posts/, people.yaml
    state_dir: Path  # the site's .veille/import/: manifest, comments file
    community_map: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did (or would do): counts, notes, errors, one line per post event."""

    written: int
    updated: int
    unchanged: int
    kept: int
    people: int
    files: int
    comments: int
    notes: tuple[Note, ...]
    errors: tuple[Problem, ...]
    events: tuple[str, ...]
    comments_file: Path | None
    dry_run: bool

    @property
    def posts(self) -> int:
        return self.written + self.updated + self.unchanged + self.kept

    def summary(self) -> str:
        """The last line of an import: posts, people, files, comments, warnings."""
        verb = "Would import" if self.dry_run else "Imported"
        return (
            f"{verb} {counted(self.posts, 'post')} ({self.written} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.kept} kept), "
            f"{counted(self.people, 'person', 'people')}, {counted(self.files, 'file')}, "
            f"{counted(self.comments, 'comment')}, {counted(len(self.notes), 'warning')}"
            + (f", {counted(len(self.errors), 'error')}" if self.errors else "")
        )


def _existing_slugs(posts_dir: Path) -> set[tuple[str, str]]:
    taken = set()
    if posts_dir.is_dir():
        for year in posts_dir.iterdir():
            if year.is_dir():
                for item in year.iterdir():
                    taken.add((year.name, item.stem if item.is_file() else item.name))
    return taken


def _plan_paths(
    posts: list[ImportedPost], manifest: Mapping[str, Entry], content: Path, notes: list[Note]
) -> dict[str, tuple[str, str]]:
    """source id → (year, slug): the manifest's for posts imported before, else a free one."""
    taken = _existing_slugs(content / "posts")
    planned: dict[str, tuple[str, str]] = {}
    for post in posts:
        entry = manifest.get(post.source_id)
        if entry is not None:
            parts = entry.path.split("/")
            planned[post.source_id] = (parts[1], parts[2].removesuffix(".md"))
            taken.add(planned[post.source_id])
    for post in posts:
        if post.source_id in planned or post.date is None:
            continue
        year, slug, n = str(post.date.year), post.slug, 1
        while (year, slug) in taken:
            n += 1
            slug = f"{post.slug}-{n}"
        if slug != post.slug:
            notes.append(
                Note(post.where, f"slug '{post.slug}' already used in {year}", f"named '{slug}'")
            )
        taken.add((year, slug))
        planned[post.source_id] = (year, slug)
    return planned


def _front_matter(fields: dict[str, Any]) -> str:
    kept = {k: v for k, v in fields.items() if v not in (None, [], "", False)}
    return yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, width=1000)


def write_import(
    source: ImportedSource,
    options: ImportOptions,
    fetch: Fetch | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Write ``source`` into the content folder (or only plan it, with ``dry_run``)."""
    content, dry = options.content_dir, options.dry_run
    notes: list[Note] = list(source.notes)
    errors: list[Problem] = []
    events: list[str] = []
    manifest = load_manifest(options.state_dir)
    posts = []
    for post in source.posts:
        notes.extend(post.notes)
        if post.date is None:
            errors.append(Problem(post.where.path, post.where.line, "no date: not imported"))
        else:
            posts.append(post)
    posts.sort(key=lambda p: (p.date, p.source_id))
    planned = _plan_paths(posts, manifest, content, notes)
    urls = {p.source_id: "/posts/{}/{}/".format(*planned[p.source_id]) for p in posts}
    links = LinkMap.build({urls[p.source_id]: p.old_urls for p in posts}, source.base_url)

    people_path = content / "people.yaml"
    people_raw = people_path.read_text(encoding="utf-8") if people_path.is_file() else ""
    existing = yaml.safe_load(people_raw) or [] if people_raw.strip() else []
    merged = merge_people(existing, (a for p in posts for a in p.authors))
    by_email = {str(p["email"]).lower(): str(p["id"]) for p in [*existing, *merged.added]
                if isinstance(p, dict) and p.get("email")}  # fmt: skip

    unmapped: set[str] = set()
    counts = {"written": 0, "updated": 0, "unchanged": 0, "kept": 0, "files": 0}
    comment_records: list[str] = []
    new_manifest = dict(manifest)
    for done, post in enumerate(posts, start=1):
        if progress is not None:
            progress(done, len(posts), post.title)
        year, slug = planned[post.source_id]
        files = _materialise(post.attachments, post.where, fetch, dry, notes)
        body, image = _localise(post.body, post.image, post.attachments, files, post.where, notes)
        body, found = rewrite_links(body, links, post.old_urls, frozenset(files), post.where)
        notes.extend(found)
        community = next((options.community_map[s] for s in post.sections
                          if s in options.community_map), None)  # fmt: skip
        for section in post.sections:
            if section not in options.community_map and section not in unmapped:
                unmapped.add(section)
                notes.append(
                    Note(post.where, f"section '{section}' not in --community-map", "left out")
                )
        people = [merged.ids[a] for a in post.authors]
        fields = {
            "title": post.title,
            "date": post.date.isoformat(),  # type: ignore[union-attr]
            "author": people[0] if people else None,
            "contributors": list(dict.fromkeys(people[1:])),
            "tags": list(post.tags),
            "community": community,
            "summary": post.summary,
            "image": image,
            "draft": post.draft,
            "imported_from": post.source_id,
        }
        text = f"---\n{_front_matter(fields)}---\n\n{body.strip()}\n"
        data = text.encode("utf-8")
        rel = f"posts/{year}/{slug}/index.md" if files else f"posts/{year}/{slug}.md"
        outcome = _write_post(content, rel, data, manifest.get(post.source_id), dry)
        counts[outcome] += 1
        if outcome == "kept":
            events.append(f"{rel}: edited since the last import: kept")
            notes.append(Note(Where(rel), "edited since the last import", "kept"))
        else:
            events.append(f"{rel}: {outcome}")
            new_manifest[post.source_id] = Entry(rel, digest(data))
            for name, payload in files.items():
                target = content / rel.rsplit("/", 1)[0] / name
                if payload is not None and (dry or write_if_changed(target, payload)):
                    counts["files"] += 1
        lines, found = comment_lines(post.comments, urls[post.source_id], by_email, post.where)
        comment_records.extend(lines)
        notes.extend(found)

    comments_file = None
    if not dry:
        if merged.added:
            write_if_changed(people_path, people_text(people_raw, existing, merged.added).encode())
        write_if_changed(options.state_dir / "manifest.json", manifest_bytes(new_manifest))
        if comment_records:
            comments_file = options.state_dir / f"comments-{source.kind}.jsonl"
            write_if_changed(comments_file, ("\n".join(comment_records) + "\n").encode("utf-8"))
    return ImportReport(
        counts["written"], counts["updated"], counts["unchanged"], counts["kept"],
        len(merged.added), counts["files"], len(comment_records), tuple(notes), tuple(errors),
        tuple(events), comments_file, dry,
    )  # fmt: skip


def _write_post(content: Path, rel: str, data: bytes, entry: Entry | None, dry: bool) -> str:
    """Write one post unless edited since; return written, updated, unchanged or kept."""
    target = content / rel
    old = content / entry.path if entry is not None else None
    if old is not None and old.is_file():
        current = old.read_bytes()
        if digest(current) != entry.sha256:  # type: ignore[union-attr]
            return "kept"
        if old == target and current == data:
            return "unchanged"
        if not dry:
            write_if_changed(target, data) if target.parent.exists() else _new(target, data)
            if old != target:
                old.unlink()
        return "updated"
    if old is not None:
        return "kept"  # deleted since the last import: not brought back
    if not dry:
        _new(target, data)
    return "written"


def _new(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    write_if_changed(target, data)


def _materialise(
    attachments: tuple[Attachment, ...],
    where: Where,
    fetch: Fetch | None,
    dry: bool,
    notes: list[Note],
) -> dict[str, bytes | None]:
    """name → bytes for the files we have (None in a dry run); absent: left remote."""
    files: dict[str, bytes | None] = {}
    for attachment in attachments:
        if attachment.local is not None:
            try:
                files[attachment.name] = None if dry else attachment.local.read_bytes()
            except OSError as exc:
                notes.append(
                    Note(where, f"{attachment.local}: cannot read ({exc.strerror})", "not copied")
                )
            continue
        if attachment.url is None:
            continue
        if fetch is None:
            notes.append(
                Note(
                    where,
                    f"{attachment.url}: not copied (no --uploads copy, no --download-images)",
                    "left as an absolute URL",
                )
            )
            continue
        if dry:
            files[attachment.name] = None
            continue
        try:
            files[attachment.name] = fetch(attachment.url)
        except Exception as exc:  # any fetch failure leaves the image remote, reported
            notes.append(
                Note(where, f"{attachment.url}: cannot download ({exc})", "left as an absolute URL")
            )
    return files


def _localise(
    body: str,
    image: str | None,
    attachments: tuple[Attachment, ...],
    files: Mapping[str, bytes | None],
    where: Where,
    notes: list[Note],
) -> tuple[str, str | None]:
    """Point the body and the card image at the files now beside the post."""
    for attachment in attachments:
        if attachment.name not in files or attachment.url is None:
            continue
        for form in dict.fromkeys((attachment.url, html.escape(attachment.url, quote=True))):
            body = body.replace(form, attachment.name)
        if image == attachment.url:
            image = attachment.name
    del where, notes
    return body, image
