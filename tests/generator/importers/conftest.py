"""Fixture sites of the static-site readers, read once per module."""

from __future__ import annotations

from pathlib import Path

from generator.importers.records import ImportedPost, ImportedSource

SITES = Path(__file__).resolve().parents[2] / "data" / "import"


def by_id(source: ImportedSource) -> dict[str, ImportedPost]:
    """The posts of ``source`` keyed by source id."""
    return {post.source_id: post for post in source.posts}


def notes_of(post: ImportedPost) -> list[str]:
    """The post's notes as a user reads them."""
    return [str(note) for note in post.notes]
