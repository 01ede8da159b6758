"""The yardstick: a bare FastAPI app answering the same JSON bytes from memory.

Run as ``python -m bench.comments.baseline FILE PORT``: it serves the bytes of
FILE at ``/api/comments`` and of FILE.counts at ``/api/counts``, with the same
uvicorn settings and GC tuning as ``veille comments serve``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import uvicorn
from fastapi import FastAPI, Query, Response

from generator.commands.comments import tune_gc


def make_app(listing: bytes, counts: bytes) -> FastAPI:
    app = FastAPI()

    @app.get("/api/comments")
    async def comments(thread: str) -> Response:
        return Response(listing, media_type="application/json")

    @app.get("/api/counts")
    async def count(thread: Annotated[list[str], Query()]) -> Response:  # same parsing as ours
        return Response(counts, media_type="application/json")

    return app


if __name__ == "__main__":
    source, port = Path(sys.argv[1]), int(sys.argv[2])
    app = make_app(source.read_bytes(), Path(str(source) + ".counts").read_bytes())
    tune_gc()
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")
