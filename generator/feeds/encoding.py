"""Feed bytes that declare no encoding and are not UTF-8 → UTF-8, with the guess named.

XML without a byte-order mark, an ``encoding=`` declaration or a ``charset`` is UTF-8
by the spec, yet old servers still publish KOI8-R, Shift_JIS, Big5 or TIS-620 that
way. feedparser would fall back to windows-1252 (mojibake); charset-normalizer reads
the bytes for what they are. Declared encodings are left to feedparser.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE, b"\x00", b"<\x00")
_XML_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?\sencoding\s*=", re.I)


@dataclass(frozen=True, slots=True)
class Decoded:
    """The document as UTF-8, and the encoding it was read as (None: left untouched)."""

    data: bytes
    detected: str | None = None

    @property
    def warning(self) -> str | None:
        return f"no encoding declared; read as {self.detected}" if self.detected else None


def declares_encoding(data: bytes, content_type: str | None) -> bool:
    """Whether a BOM, the XML declaration or the HTTP ``charset`` names the encoding."""
    if content_type and "charset" in content_type.lower():
        return True
    return data.startswith(_BOMS) or bool(_XML_DECLARED.match(data[:512]))


def decode_undeclared(data: bytes, content_type: str | None = None) -> Decoded:
    """Re-encode an undeclared, non-UTF-8 document as UTF-8, naming the detected encoding."""
    if declares_encoding(data, content_type):
        return Decoded(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return Decoded(data)  # the default, and what it says
    import charset_normalizer  # only for the rare undeclared legacy feed

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return Decoded(data)  # nothing plausible: feedparser's own fallback will say so
    name = codecs.lookup(best.encoding).name.replace("_", "-")
    return Decoded(str(best).encode("utf-8"), name)
