"""Files a post names by a site-absolute path (``/images/x.png``) → attachments of its bundle.

Hugo and Zola publish ``static/`` at the site root, Jekyll its whole folder; an
image there is referenced as ``/images/x.png`` and would be broken on the new
wall. Each one found is copied into the post's bundle and the reference made
relative; one not found is left as is and noted with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from generator.importers.records import Attachment
from generator.importers.staticsite import BodyRewrite

# Markdown inline links and images, HTML src/href attributes, reference definitions.
_MARKDOWN = re.compile(r"(\]\(\s*<?)(/[^)\s>]*)")
_HTML = re.compile(r"""(\b(?:src|href)\s*=\s*)(["'])(/[^"']*)\2""", re.IGNORECASE)
_DEFINITION = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*<?)(/\S+?)(>?)(?=\s|$)", re.MULTILINE)
# A path ending so is a page of the old site (the link rewriter's business), not a file.
_PAGES = frozenset({"", ".html", ".htm", ".xhtml", ".php", ".asp", ".aspx", ".md", ".xml"})
_IMAGES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp", ".ico", ".tif", ".tiff"}
)


@dataclass(frozen=True, slots=True)
class StaticRoots:
    """The folders the source site publishes at its root, and how a note names them."""

    folders: tuple[Path, ...]
    shown: str  # "static/", "the site folder"
    base_path: str = "/"  # the site's path under its host ("/journal/" for a Jekyll baseurl)
    hidden: bool = False  # whether ``_name`` folders are unpublished (Jekyll)

    def find(self, path: str) -> tuple[str, Path] | None:
        """``/images/x.png`` → (``images/x.png``, the file), when one of the folders has it."""
        rel = path.lstrip("/")
        base = self.base_path.strip("/")
        if base and rel.startswith(f"{base}/"):
            rel = rel[len(base) + 1 :]
        parts = PurePosixPath(rel).parts
        if not parts or any(p.startswith(".") or (self.hidden and p[0] == "_") for p in parts):
            return None
        for folder in self.folders:
            root = folder.resolve()
            found = (root / rel).resolve()
            if found.is_file() and found.is_relative_to(root):
                return found.relative_to(root).as_posix(), found
        return None


def attach_static(
    rewrite: BodyRewrite,
    roots: StaticRoots,
    attachments: tuple[Attachment, ...],
    image: str | None,
) -> tuple[tuple[Attachment, ...], str | None]:
    """Attach each static file the body (or the card ``image``) names; point them at the copy.

    Returns the attachments with the new ones added and the card image, made
    relative when it was one of them. A file reference that names no file is noted.
    """
    attached = list(attachments)

    def place(target: str, line: int | None) -> str:
        if target.startswith("//"):  # another host, protocol-relative
            return target
        path, sep, rest = _split(target)
        suffix = PurePosixPath(path).suffix.lower()
        if suffix in _PAGES:
            return target
        found = roots.find(unquote(path))
        if found is None:
            if line is not None:
                what = "image" if suffix in _IMAGES else "file"
                rewrite.note(line, f"{what} {path}", f"not found in {roots.shown}, left as is")
            return target
        return quote(_attach(attached, *found), safe="/") + sep + rest

    rewrite.sub(_MARKDOWN, lambda m, line: m[1] + place(m[2], line))
    rewrite.sub(_HTML, lambda m, line: m[1] + m[2] + place(m[3], line) + m[2])
    rewrite.sub(_DEFINITION, lambda m, line: m[1] + place(m[2], line) + m[3])
    if image is not None and image.startswith("/"):
        image = place(image, None)
    return tuple(attached), image


def _split(target: str) -> tuple[str, str, str]:
    """``/a.pdf#p=2`` → (``/a.pdf``, ``#``, ``p=2``); the query or fragment is kept."""
    parts = urlsplit(target)
    tail = target[len(parts.path) :]
    return parts.path, tail[:1], tail[1:]


def _attach(attached: list[Attachment], name: str, local: Path) -> str:
    """The bundle name of ``local``: its own when free, else ``name-2.ext`` and so on."""
    for attachment in attached:
        if attachment.local is not None and attachment.local.resolve() == local:
            return attachment.name
    taken = {a.name for a in attached}
    stem, suffix = name.rsplit(".", 1) if "." in name.rsplit("/", 1)[-1] else (name, "")
    candidate, counter = name, 2
    while candidate in taken:
        candidate = f"{stem}-{counter}.{suffix}" if suffix else f"{stem}-{counter}"
        counter += 1
    attached.append(Attachment(name=candidate, local=local))
    return candidate
