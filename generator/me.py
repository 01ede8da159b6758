"""Site module, ``/me/``: the reader's own page, published once and the same for everyone.

The page is a shell that ``me.js`` fills in the browser (saved items from the API or
browser storage, cards from ``items.json``, comments and replies from ``/api/me``), so
the build never holds anyone's personal data.
"""

from __future__ import annotations

from generator.context import RenderContext
from generator.model import OutputFile
from generator.render import Pages


def render_me(ctx: RenderContext) -> list[OutputFile]:
    """``/me/index.html``."""
    return [Pages(ctx).render("me.html", "/me/")]
