"""The moderation page over HTTP on a real server (SQLite and PostgreSQL): who may enter,
the session cookie, the CSRF and origin checks, every action recorded and listed."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from comments_api.store.tables import moderation_log
from tests.comments_api.conftest import ADMIN_TOKEN, Api, ApiFactory, admin_headers
from tests.htmlcheck import Page, parse_html

SSO = {"peer": "127.0.0.1", "identity": "trusted-header"}


def page(answer: httpx.Response) -> Page:
    assert answer.headers["content-type"].startswith("text/html"), answer.text
    return parse_html(answer.text)


def csrf_of(answer: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', answer.text)
    assert found is not None, answer.text
    return found.group(1)


def sign_in(api: Api) -> str:
    """Sign in with the admin token; the CSRF token of the page it leads to."""
    answer = api.client.post("/admin/signin", data={"token": ADMIN_TOKEN})
    assert answer.status_code == 303, answer.text
    cookie = answer.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/admin", "Max-Age=28800"):
        assert attribute in cookie
    home = api.client.get("/admin/")
    assert home.status_code == 200
    return csrf_of(home)


def pending(api: Api, body: str) -> int:
    answer = api.post(body)
    assert answer.status_code == 201 and answer.json()["status"] == "pending", answer.text
    return int(answer.json()["id"])


def log_rows(api: Api) -> list[tuple[int, str, str]]:
    with api.store.read() as tx:
        rows = tx.conn.execute(moderation_log.select().order_by(moderation_log.c.id)).mappings()
        return [(r["comment_id"], r["action"], r["by"]) for r in rows]


def test_open_mode_needs_the_admin_token(make_api: ApiFactory) -> None:
    api = make_api(moderation="all")
    answer = api.client.get("/admin/")
    assert answer.status_code == 401
    assert page(answer).has("input", name="token", type="password")
    wrong = api.client.post("/admin/signin", data={"token": "guess"})
    assert wrong.status_code == 403
    assert "not valid" in page(wrong).text
    assert "set-cookie" not in wrong.headers
    api.client.cookies.set("veille_admin", "eyJieSI6InRva2VuIn0.AAAA", path="/admin")
    assert api.client.get("/admin/").status_code == 401  # a forged cookie is nobody


def test_approve_reject_hide_delete_are_recorded_and_listed(make_api: ApiFactory) -> None:
    api = make_api(moderation="all")
    first, second = pending(api, "First, waiting"), pending(api, "Second, waiting")
    csrf = sign_in(api)
    home = page(api.client.get("/admin/"))
    assert "Waiting for approval (2)" in home.text
    assert "First, waiting" in home.text

    def act(comment_id: int, action: str) -> httpx.Response:
        return api.client.post(f"/admin/comments/{comment_id}/{action}", data={"csrf": csrf})

    answer = act(first, "approve")
    assert (answer.status_code, answer.headers["location"]) == (
        303,
        f"/admin/?done=approve-{first}",
    )
    assert [c["id"] for c in api.listing()] == [first]
    assert act(second, "reject").status_code == 303
    assert act(first, "hide").status_code == 303
    assert api.listing() == []
    assert act(first, "approve").status_code == 303
    assert act(first, "delete").status_code == 303
    listed = api.listing()
    assert [(c["id"], c["status"], c["html"]) for c in listed] == [(first, "deleted", "")]
    assert act(first, "approve").status_code == 409  # a deleted comment stays deleted

    assert log_rows(api) == [
        (first, "approve", "token"),
        (second, "reject", "token"),
        (first, "hide", "token"),
        (first, "approve", "token"),
        (first, "delete", "token"),
    ]
    home = page(api.client.get("/admin/?done=delete-1"))
    assert "Comment 1 deleted." in home.text
    assert "Waiting for approval (0)" in home.text
    assert "No published comment yet." in home.text
    assert home.text.count("token") >= 5  # the log lists who did each action


def test_a_post_without_the_token_or_from_another_site_is_refused(make_api: ApiFactory) -> None:
    api = make_api(moderation="all")
    comment = pending(api, "Keep me pending")
    csrf = sign_in(api)
    url = f"/admin/comments/{comment}/approve"
    refusals: list[dict[str, Any]] = [
        {"data": {}},  # no CSRF token
        {"data": {"csrf": csrf[:-2] + "xx"}},  # a wrong one
        {"data": {"csrf": csrf}, "headers": {"origin": "https://evil.example"}},
        {"data": {"csrf": csrf}, "headers": {"origin": "null"}},
        {"data": {"csrf": csrf}, "headers": {"sec-fetch-site": "cross-site"}},
        {"data": {"csrf": csrf}, "headers": {"sec-fetch-site": "same-site"}},
    ]
    for refusal in refusals:
        assert api.client.post(url, **refusal).status_code == 403, refusal
    other = httpx.Client(base_url=api.server.url)  # no session cookie: nobody
    assert other.post(url, data={"csrf": csrf}).status_code == 401
    other.close()
    assert api.listing() == []
    assert log_rows(api) == []
    same_origin = {"origin": api.server.url, "sec-fetch-site": "same-origin"}
    assert api.client.post(url, data={"csrf": csrf}, headers=same_origin).status_code == 303
    assert [c["id"] for c in api.listing()] == [comment]


def test_signing_out_ends_the_session(make_api: ApiFactory) -> None:
    api = make_api()
    csrf = sign_in(api)
    answer = api.client.post("/admin/signout", data={"csrf": csrf})
    assert answer.status_code == 303
    assert api.client.get("/admin/").status_code == 401


@pytest.mark.parametrize("path", ["/admin/", "/admin/desk"])
def test_trusted_header_admins_only(make_api: ApiFactory, path: str) -> None:
    api = make_api(admins=frozenset({"ada@example.com"}), **SSO)
    nobody = api.client.get(path)
    assert nobody.status_code == 401
    assert "Sign-in needed" in page(nobody).text
    stranger = api.client.get(path, headers={"x-forwarded-email": "eve@example.com"})
    assert stranger.status_code == 403
    assert "Not allowed" in page(stranger).text
    admin = api.client.get(path, headers={"x-forwarded-email": "ada@example.com"})
    assert admin.status_code == 200
    assert "HttpOnly" in admin.headers["set-cookie"]
    assert admin.headers["x-frame-options"] == "DENY"


def test_trusted_header_actions_record_the_admin(make_api: ApiFactory) -> None:
    api = make_api(admins=frozenset({"ada@example.com"}), moderation="all", **SSO)
    alan = {"x-forwarded-email": "alan@example.com"}
    ada = {"x-forwarded-email": "ada@example.com"}
    posted = api.client.post(
        "/api/comments", params={"thread": "/t/"}, json={"body": "Hi"}, headers=alan
    )
    comment = int(posted.json()["id"])
    csrf = csrf_of(api.client.get("/admin/", headers=ada))
    url = f"/admin/comments/{comment}/approve"
    # Another person behind the same browser cannot use the admin's session.
    assert api.client.post(url, data={"csrf": csrf}, headers=alan).status_code == 403
    assert api.client.post(url, data={"csrf": csrf}, headers=ada).status_code == 303
    # The JSON admin API records its actions too.
    hidden = api.client.post(f"/api/admin/comments/{comment}/hide", headers=ada)
    assert hidden.status_code == 200 and hidden.json()["status"] == "rejected"
    assert log_rows(api) == [
        (comment, "approve", "ada@example.com"),
        (comment, "hide", "ada@example.com"),
    ]
    home = page(api.client.get("/admin/", headers=ada))
    assert "ada@example.com" in home.text


def test_moderation_log_survives_export_and_import(make_api: ApiFactory) -> None:
    api = make_api(moderation="all")
    comment = pending(api, "To approve")
    approved = api.client.post(f"/api/admin/comments/{comment}/approve", headers=admin_headers())
    assert approved.status_code == 200
    lines = api.client.get("/api/export", headers=admin_headers()).text.splitlines()
    moderation = [line for line in lines if '"type":"moderation"' in line]
    assert len(moderation) == 1
    assert f'"comment_id":{comment},"action":"approve","by":"token"' in moderation[0]
    from comments_api.exchange import parse_lines

    exported = parse_lines(lines, "export.jsonl")
    with api.store.write() as tx:  # an empty database, the same export twice
        tx.conn.execute(moderation_log.delete())
    api.app.state.service.import_records(exported)
    api.app.state.service.import_records(exported)
    assert log_rows(api) == [(comment, "approve", "token")]
