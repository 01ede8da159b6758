"""The guard over HTTP: Origin and CORS, body size (413), media types (415), overload (503)."""

from __future__ import annotations

import pytest

from tests.comments_api.conftest import THREAD, Api, ApiFactory, assert_error

SITE = "http://127.0.0.1:8000"


def test_the_site_origin_may_write_and_gets_cors_headers(api: Api) -> None:
    answer = api.client.post(
        "/api/comments",
        params={"thread": THREAD},
        json={"body": "x", "author_name": "A"},
        headers={"origin": SITE},
    )
    assert answer.status_code == 201
    assert answer.headers["access-control-allow-origin"] == SITE
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in answer.headers["vary"]


def test_same_origin_as_the_api_itself_may_write(api: Api) -> None:
    answer = api.client.post(
        "/api/comments",
        params={"thread": THREAD},
        json={"body": "x", "author_name": "A"},
        headers={"origin": api.server.url},
    )
    assert answer.status_code == 201


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:8000.evil"])
def test_other_origins_may_not_write(api: Api, origin: str) -> None:
    created = api.post("x").json()
    headers = {"origin": origin, "authorization": f"Bearer {created['edit_token']}"}
    attempts = (
        api.client.post(
            "/api/comments", params={"thread": THREAD}, json={"body": "x"}, headers=headers
        ),
        api.client.delete(f"/api/comments/{created['id']}", headers=headers),
        api.client.options(
            "/api/comments", headers={**headers, "access-control-request-method": "POST"}
        ),
    )
    for answer in attempts:
        assert_error(answer, 403, "origin_forbidden")
        assert "access-control-allow-origin" not in answer.headers
    read = api.client.get("/api/comments", params={"thread": THREAD}, headers={"origin": origin})
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers
    assert len(api.listing()) == 1


def test_preflight_from_the_site(api: Api) -> None:
    answer = api.client.options(
        "/api/comments/1",
        headers={
            "origin": SITE,
            "access-control-request-method": "PATCH",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == SITE
    assert "PATCH" in answer.headers["access-control-allow-methods"]
    assert "Authorization" in answer.headers["access-control-allow-headers"]


def test_oversized_requests_are_413(make_api: ApiFactory) -> None:
    api = make_api(max_length=100)
    too_long = api.post("x" * 101)
    assert_error(too_long, 413, "payload_too_large")
    huge = api.client.post(
        "/api/comments",
        params={"thread": THREAD},
        content=b'{"body": "' + b"x" * 50_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert_error(huge, 413, "payload_too_large")
    assert api.post("x" * 100).status_code == 201


def test_chunked_bodies_are_counted_too(make_api: ApiFactory) -> None:
    api = make_api(max_length=100)

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"body": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    answer = api.client.post(
        "/api/comments",
        params={"thread": THREAD},
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert_error(answer, 413, "payload_too_large")


@pytest.mark.parametrize(
    ("method", "path", "ctype"),
    [
        ("post", "/api/comments?thread=/a/", "text/plain"),
        ("post", "/api/comments?thread=/a/", "multipart/form-data; boundary=x"),
        ("patch", "/api/comments/1", "application/x-www-form-urlencoded"),
        ("post", "/api/comments/1/reactions", "text/xml"),
        ("post", "/api/comments/1/reactions", ""),
    ],
)
def test_wrong_media_types_are_415(api: Api, method: str, path: str, ctype: str) -> None:
    headers = {"content-type": ctype} if ctype else {}
    answer = api.client.request(method.upper(), path, content=b"body=x", headers=headers)
    assert_error(answer, 415, "unsupported_media_type")


@pytest.mark.parametrize("body", [b"{bad", b"", b"[1, 2]", b'"text"', b"\xff\xfe{}"])
def test_malformed_json_is_400_or_422(api: Api, body: bytes) -> None:
    answer = api.client.post(
        "/api/comments",
        params={"thread": THREAD},
        content=body,
        headers={"content-type": "application/json"},
    )
    assert answer.status_code in (400, 422)
    assert_error(answer, answer.status_code)
    for url in ("/api/comments/1/reactions",):
        assert_error(
            api.client.post(url, content=body, headers={"content-type": "application/json"}),
            400 if body in (b"{bad", b"\xff\xfe{}") else 422,
        )


def test_overload_answers_503_json(make_api: ApiFactory) -> None:
    api = make_api(max_in_flight=0)
    answer = api.client.get("/api/comments", params={"thread": THREAD})
    assert_error(answer, 503, "overloaded")
    assert answer.headers["retry-after"] == "1"


def test_unknown_routes_and_methods_are_json(api: Api) -> None:
    assert_error(api.client.get("/api/nope"), 404, "not_found")
    assert_error(api.client.get("/"), 404, "not_found")
    assert_error(api.client.put("/api/counts", json={}), 405, "method_not_allowed")
    assert_error(api.client.get("/api/comments/abc"), 405)
    assert_error(api.client.patch("/api/comments/abc", json={"body": "x"}), 422)
    assert_error(api.client.patch("/api/comments/99999999999", json={"body": "x"}), 422)


def test_every_answer_says_nosniff(api: Api) -> None:
    for answer in (api.client.get("/api/health"), api.client.get("/api/nope")):
        assert answer.headers["x-content-type-options"] == "nosniff"
