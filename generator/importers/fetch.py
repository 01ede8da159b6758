"""The importer's only network code: fetch a feed or a file over http(s), with limits.

Used for ``veille import feed URL`` and ``--download-images``; a failure is a
``FetchError`` that the caller reports and survives (the image stays a remote URL).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

MAX_BYTES = 50 * 1024 * 1024
TIMEOUT = 30.0
USER_AGENT = "Veille-import/1 (+https://github.com/veille)"


class FetchError(Exception):
    """A URL could not be fetched: why, in a few words."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response body and what the server said it is."""

    url: str  # after redirects
    data: bytes
    content_type: str | None


class Fetcher:
    """One HTTP client for a whole import (keep-alive across images of one site)."""

    def __init__(self, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            headers={"user-agent": USER_AGENT},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def get(self, url: str) -> Fetched:
        """The body at ``url``; raise FetchError on a network problem, a non-200, or too big."""
        if not url.startswith(("http://", "https://")):
            raise FetchError("not an http(s) URL")
        try:
            with self.client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise FetchError(f"HTTP {response.status_code}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(f"larger than {self.max_bytes // 1_048_576} MB")
                    chunks.append(chunk)
                return Fetched(
                    str(response.url), b"".join(chunks), response.headers.get("content-type")
                )
        except httpx.TimeoutException:
            raise FetchError("timed out") from None
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            raise FetchError(str(exc) or type(exc).__name__) from None
