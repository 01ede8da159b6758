"""Page family, assets: the files of page bundles, their resized images, and ``content/media/``.

A bundle's files are published beside its page (``/posts/<year>/<slug>/<file>``),
so the body's relative links work unchanged; the site's shared files are published
at ``/media/``. The writer links every unchanged file from the previous build, and
a resized copy comes from the image cache, so a rebuild neither copies nor encodes.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterator
from pathlib import Path

from generator.bundles import MEDIA, bundle_files
from generator.context import RenderContext
from generator.errors import display
from generator.images import copy_name, resized_copy
from generator.model import OutputFile

log = logging.getLogger(__name__)
_PAGE = "index.html"  # a bundle's own page: a file of that name beside index.md is not published


def render_assets(ctx: RenderContext) -> Iterator[OutputFile]:
    """Every bundle file (and resized copy) of the built posts, then every media file."""
    images = ctx.config.images
    cache = ctx.config.cache_path
    for post in ctx.site.posts:
        if not post.files:
            continue
        folder = post.source.parent
        base = post.path.strip("/")
        widths: dict[str, list[int]] = {}
        for name, width in post.resized:
            widths.setdefault(name, []).append(width)
        for rel in post.files:
            if rel == _PAGE:
                log.warning("%s: not published: it would replace the post's page", folder / rel)
                continue
            data = _read(folder / rel, images.max_bytes)
            if data is None:
                continue
            yield OutputFile(f"{base}/{rel}", data)
            for width in widths.get(rel, ()):
                name = posixpath.join(
                    posixpath.dirname(rel), copy_name(posixpath.basename(rel), width)
                )
                yield OutputFile(f"{base}/{name}", resized_copy(data, width, cache))
    media = ctx.config.content_path / MEDIA
    if media.is_dir():
        for rel in bundle_files(media):
            data = _read(media / rel, images.max_bytes)
            if data is not None:
                yield OutputFile(f"{MEDIA}/{rel}", data)


def _read(path: Path, max_bytes: int) -> bytes | None:
    """A file's bytes, with a warning when it is bigger than ``images.max_bytes``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.warning("%s: not published: %s", display(path), exc.strerror)
        return None
    if len(data) > max_bytes:
        log.warning(
            "%s: %d bytes, over images.max_bytes (%d): readers will wait for it",
            display(path),
            len(data),
            max_bytes,
        )
    return data
