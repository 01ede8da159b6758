"""Search index: Pagefind shards over the staged site, before it is published.

``SearchStep`` watches the pages as the writer streams them (keeping only a
hash of what Pagefind reads of each, ``extract.index_key``) and is the
``finish`` step of ``writer.publish``: it builds ``pagefind/`` in the staging
folder, re-indexing only the shards whose pages changed (``shards``).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from generator.model import OutputFile
from generator.search.extract import index_key
from generator.search.shards import (
    BUNDLE,
    BundleJob,
    SearchIndexError,
    link_tree,
    pagefind_executable,
)
from generator.search.stable import stabilise_filters

__all__ = [
    "BUNDLE",
    "BundleJob",
    "PendingIndex",
    "SearchIndexError",
    "SearchStep",
    "pagefind_executable",
    "stabilise_filters",
]
log = logging.getLogger(__name__)


class PendingIndex:
    """A search index ``veille serve`` builds after publishing (the pages it must cover)."""

    def __init__(self, keys: dict[str, str], record: Path) -> None:
        self.keys = keys
        self.record = record
        self.job: BundleJob | None = None

    def prepare(self, out: Path, folder: Path) -> None:
        """Under the build lock: link reused shards and stage the pages of changed ones."""
        live = out.resolve() / BUNDLE
        self.job = BundleJob(out.resolve(), self.keys, live, self.record, "search-stage-late")
        self.job.prepare(folder)

    def run(self) -> None:
        """Outside the lock: run Pagefind over the staged pages (raises SearchIndexError)."""
        assert self.job is not None, "prepare() first"
        self.job.run()


class SearchStep:
    """Sees each output file (``see``), then indexes the staging folder (``__call__``).

    With ``defer`` (``veille serve``), a changed site keeps the live bundle for now
    and ``pending`` tells the caller what to index after publishing.
    """

    def __init__(self, live: Path, record: Path, defer: bool = False) -> None:
        self.live = live.resolve() / BUNDLE
        self.record = record
        self.defer = defer
        self.keys: dict[str, str] = {}
        self.pending: PendingIndex | None = None

    def see(self, file: OutputFile) -> OutputFile:
        """Remember the index key of ``file`` if Pagefind indexes it; return it unchanged."""
        if file.path.endswith(".html"):
            key = index_key(file.data)
            if key is not None:
                self.keys[file.path] = key
        return file

    def __call__(self, folder: Path) -> None:
        target = folder / BUNDLE
        job = BundleJob(folder, self.keys, self.live, self.record, "search-stage")
        job.prepare(target)
        if not job.stale:
            log.info("search index unchanged: every shard linked from the live site")
            job.run()  # writes the manifest and the record; indexes nothing
            return
        if self.defer and self.live.is_dir():
            shutil.rmtree(target)
            shutil.rmtree(job.work, ignore_errors=True)
            link_tree(self.live, target)
            self.pending = PendingIndex(dict(self.keys), self.record)
            log.info("search index deferred: the previous bundle is kept meanwhile")
            return
        job.run()
