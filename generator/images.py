"""Kernel, images: the size of a local image, and its resized copy cached by content hash.

Raster images are read with Pillow (header only: no pixel is decoded to measure);
an SVG's size comes from its ``width``/``height`` or ``viewBox``. A resized copy is
encoded once per (image bytes, width) and kept under the site's cache folder, so a
rebuild never encodes again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from generator.atomicfile import write_atomic

log = logging.getLogger(__name__)

RASTER = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".avif"})
SVG = ".svg"
IMAGE_SUFFIXES = RASTER | {SVG}
# Formats a copy can be encoded in as the original (others become WebP).
_KEEP_FORMAT = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")
_CACHE = "images"
THUMB_WIDTH = 192  # a card shows its picture at 96 CSS pixels: twice that for dense screens


@dataclass(frozen=True, slots=True)
class Size:
    """An image's intrinsic size in CSS pixels; ``animated`` images are never resized."""

    width: int
    height: int
    animated: bool = False
    raster: bool = True


def measure(path: Path) -> Size | None:
    """The size of the image at ``path``, or None when it cannot be read as an image."""
    if path.suffix.lower() == SVG:
        return _svg_size(path)
    try:
        with Image.open(path) as image:
            animated = bool(getattr(image, "is_animated", False))
            return Size(image.width, image.height, animated)
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def _svg_size(path: Path) -> Size | None:
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - the site's own files, not remote input
    except (ET.ParseError, OSError):
        return None
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            box_w, box_h = float(box[2]), float(box[3])
        except ValueError:
            box_w = box_h = 0.0
        if box_w > 0 and box_h > 0:
            if width is None and height is None:
                width, height = box_w, box_h
            elif width is None and height is not None:
                width = height * box_w / box_h
            elif height is None and width is not None:
                height = width * box_h / box_w
    if width is None or height is None or width <= 0 or height <= 0:
        return None
    return Size(round(width), round(height), raster=False)


def _length(value: str | None) -> float | None:
    """An SVG length in pixels; percentages and other units give None (no intrinsic size)."""
    if value is None:
        return None
    match = _LENGTH.match(value)
    return float(match.group(1)) if match else None


def scaled(size: Size, width: int) -> Size:
    """``size`` scaled down to ``width``, keeping its aspect ratio."""
    return Size(width, max(1, round(size.height * width / size.width)), size.animated)


def copy_name(name: str, width: int) -> str:
    """The name of the ``width``-pixel copy of ``name``: ``a.jpg`` → ``a.1600w.jpg``."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        return f"{name}.{width}w.webp"
    keep = suffix.lower() in ("png", "jpg", "jpeg", "webp")
    return f"{stem}.{width}w.{suffix if keep else 'webp'}"


def resized_copy(data: bytes, width: int, cache: Path) -> bytes:
    """``data`` (an image) resized to ``width`` pixels, from the cache or encoded once into it."""
    digest = hashlib.sha256(data).hexdigest()
    cached = cache / _CACHE / f"{digest}-{width}"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    with Image.open(io.BytesIO(data)) as image:
        suffix = _KEEP_FORMAT.get(image.format or "", ".webp")
        fmt = {".png": "PNG", ".jpg": "JPEG", ".webp": "WEBP"}[suffix]
        height = max(1, round(image.height * width / image.width))
        copy = image.convert("RGB") if fmt == "JPEG" and image.mode not in ("RGB", "L") else image
        small = copy.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        options = {"optimize": True} if fmt != "WEBP" else {"quality": 85}
        small.save(out, fmt, **options)
    encoded = out.getvalue()
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cached, encoded)
    except OSError as exc:
        log.warning("image cache %s not written: %s", cached, exc)
    return encoded
