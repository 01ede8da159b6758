"""Saved items and /api/me over HTTP, with two trusted-header identities (SQLite and PostgreSQL)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from comments_api.exchange import parse_lines
from generator.model import Person
from tests.comments_api.conftest import THREAD, ApiFactory, admin_headers, assert_error

OTHER = "/posts/2026/other/"
HIDDEN = "/posts/2026/draft/"
PEOPLE = MappingProxyType(
    {"ada@example.com": Person("ada", "Ada Lovelace"), "bob@example.com": Person("bob", "Bob")}
)
ADA = {"X-Forwarded-Email": "ada@example.com"}
BOB = {"X-Forwarded-Email": "bob@example.com"}


def trusted(make_api: ApiFactory, **overrides: Any) -> Any:
    return make_api(identity="trusted-header", people=PEOPLE, threads=[THREAD, OTHER], **overrides)


def test_a_saves_lists_and_removes_and_b_never_sees_it(make_api: ApiFactory) -> None:
    api = trusted(make_api)
    c = api.client
    first = c.put("/api/saved", params={"thread": THREAD}, headers=ADA)
    assert first.status_code == 201, first.text
    assert first.json() == {"thread": THREAD, "saved": True}
    assert c.put("/api/saved", params={"thread": THREAD}, headers=ADA).status_code == 200
    assert c.put("/api/saved", params={"thread": OTHER}, headers=ADA).status_code == 201
    mine = c.get("/api/saved", headers=ADA).json()
    assert [s["thread"] for s in mine] == [OTHER, THREAD]  # newest first
    assert c.get("/api/saved", headers=BOB).json() == []
    # Bob removing Ada's item removes nothing of hers.
    assert c.delete("/api/saved", params={"thread": THREAD}, headers=BOB).status_code == 200
    assert len(c.get("/api/saved", headers=ADA).json()) == 2
    assert c.delete("/api/saved", params={"thread": THREAD}, headers=ADA).status_code == 204
    assert [s["thread"] for s in c.get("/api/saved", headers=ADA).json()] == [OTHER]
    gone = c.delete("/api/saved", params={"thread": THREAD}, headers=ADA)
    assert gone.status_code == 200 and gone.json()["saved"] is False


def test_saving_needs_an_identity_and_a_published_thread(make_api: ApiFactory) -> None:
    api = trusted(make_api)
    assert_error(api.client.get("/api/saved"), 401, "unauthorized")
    assert_error(api.client.get("/api/me"), 401, "unauthorized")
    refused = api.client.put("/api/saved", params={"thread": HIDDEN}, headers=ADA)
    assert "no published item" in assert_error(refused, 404, "not_found")["message"]
    assert api.client.get("/api/saved", headers=ADA).json() == []
    open_mode = make_api(threads=[THREAD])
    assert_error(open_mode.client.put("/api/saved", params={"thread": THREAD}), 401)


def test_the_form_post_saves_and_goes_back_to_the_page(make_api: ApiFactory) -> None:
    api = trusted(make_api, base_url="https://veille.example/")
    page = "https://veille.example/tags/ai/?page=2"
    form = {"thread": THREAD, "action": "save"}
    answer = api.client.post("/api/saved", data=form, headers={**ADA, "referer": page})
    assert answer.status_code == 303
    assert answer.headers["location"] == page
    assert [s["thread"] for s in api.client.get("/api/saved", headers=ADA).json()] == [THREAD]
    # A foreign referer is not followed: back to the item itself.
    form["action"] = "remove"
    foreign = {**ADA, "referer": "https://evil.example/"}
    answer = api.client.post("/api/saved", data=form, headers=foreign)
    assert answer.headers["location"] == "https://veille.example" + THREAD
    assert api.client.get("/api/saved", headers=ADA).json() == []
    unpublished = api.client.post(
        "/api/saved", data={"thread": HIDDEN, "action": "save"}, headers=ADA
    )
    assert_error(unpublished, 404)
    assert_error(
        api.client.post("/api/saved", data={"thread": THREAD, "action": "x"}, headers=ADA), 422
    )


def test_saving_is_rate_limited_like_comments(make_api: ApiFactory) -> None:
    api = trusted(make_api, rate_limit_per_minute=1)
    answers = [
        api.client.put("/api/saved", params={"thread": THREAD}, headers=ADA).status_code
        for _ in range(7)
    ]
    assert answers[:6] == [201, 200, 200, 200, 200, 200]
    assert answers[6] == 429


def test_me_lists_own_comments_and_replies_received_only(make_api: ApiFactory) -> None:
    api = trusted(make_api)
    c = api.client
    mine = c.post("/api/comments", params={"thread": THREAD}, json={"body": "Mine"}, headers=ADA)
    reply = c.post(
        "/api/comments",
        params={"thread": THREAD},
        json={"body": "A reply", "parent": mine.json()["id"]},
        headers=BOB,
    ).json()
    c.post("/api/comments", params={"thread": OTHER}, json={"body": "Bob alone"}, headers=BOB)
    ada = c.get("/api/me", headers=ADA).json()
    assert ada["person"] == {"email": "ada@example.com", "person_id": "ada", "name": "Ada Lovelace"}
    assert [x["body"] for x in ada["comments"]] == ["Mine"]
    assert [x["body"] for x in ada["replies"]] == ["A reply"]
    assert ada["replies"][0]["url"] == f"{THREAD}#comment-{reply['id']}"
    bob = c.get("/api/me", headers=BOB).json()
    assert sorted(x["body"] for x in bob["comments"]) == ["A reply", "Bob alone"]
    assert bob["replies"] == []


def test_saved_items_survive_export_and_import(make_api: ApiFactory) -> None:
    api = trusted(make_api)
    api.client.put("/api/saved", params={"thread": THREAD}, headers=ADA)
    lines = api.client.get("/api/export", headers=admin_headers()).text.splitlines()
    saved = [line for line in lines if '"type":"saved"' in line]
    assert len(saved) == 1 and '"person_id":"ada"' in saved[0] and THREAD in saved[0]
    exported = parse_lines(lines, "export.jsonl")
    assert [(s.email, s.thread) for s in exported.data.saved] == [("ada@example.com", THREAD)]
    with api.store.write() as tx:
        tx.remove_saved("ada@example.com", THREAD)
    summary = api.app.state.service.import_records(exported)
    assert summary.saved == 1
    assert [s["thread"] for s in api.client.get("/api/saved", headers=ADA).json()] == [THREAD]
    assert api.app.state.service.import_records(exported).saved == 0  # idempotent
