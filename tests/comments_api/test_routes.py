"""Every endpoint over HTTP against the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.comments_api.conftest import THREAD, Api, ApiFactory, admin_headers, assert_error


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_post_then_list_returns_rendered_comment_with_edit_token(api: Api) -> None:
    answer = api.post("Hello **world**")
    assert answer.status_code == 201
    created = answer.json()
    assert created["html"] == "<p>Hello <strong>world</strong></p>"
    assert created["author"] == "Ada"
    assert created["status"] == "approved"
    assert created["thread"] == THREAD
    assert len(created["edit_token"]) >= 40
    assert answer.headers["location"] == f"/api/comments/{created['id']}"
    listed = api.listing()
    assert [c["id"] for c in listed] == [created["id"]]
    assert set(listed[0]) == {
        "id", "parent", "author", "person_id", "html", "created", "edited", "status", "reactions",
    }  # fmt: skip
    assert "edit_token" not in listed[0]
    assert listed[0]["reactions"] == {"like": 0, "insightful": 0, "question": 0}


def test_list_is_flat_ordered_with_parent_ids(api: Api) -> None:
    first = api.post("first").json()
    reply = api.post("reply", parent=first["id"]).json()
    nested = api.post("nested", parent=reply["id"]).json()
    second = api.post("second").json()
    listed = api.listing()
    assert [(c["id"], c["parent"]) for c in listed] == [
        (first["id"], None),
        (reply["id"], first["id"]),
        (nested["id"], reply["id"]),
        (second["id"], None),
    ]


def test_unknown_thread_lists_empty_and_counts_zero(api: Api) -> None:
    assert api.listing("/posts/none/") == []
    answer = api.client.get("/api/counts", params={"thread": ["/posts/none/"]})
    assert answer.json() == {"/posts/none/": 0}


def test_form_post_redirects_back_to_the_page(api: Api) -> None:
    answer = api.client.post(
        "/api/comments",
        params={"thread": THREAD},
        data={"body": "From the form", "author_name": "Grace", "parent": ""},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    listed = api.listing()
    expected = f"http://127.0.0.1:8000{THREAD}#comment-{listed[0]['id']}"
    assert answer.headers["location"] == expected
    assert listed[0]["html"] == "<p>From the form</p>"


def test_form_post_to_moderated_site_lands_on_the_comments(make_api: ApiFactory) -> None:
    api = make_api(moderation="all")
    answer = api.client.post(
        "/api/comments",
        params={"thread": THREAD},
        data={"body": "x", "author_name": "Grace"},
        follow_redirects=False,
    )
    assert answer.headers["location"].endswith(f"{THREAD}#comments")


def test_edit_with_token_inside_window(api: Api) -> None:
    created = api.post("before").json()
    answer = api.client.patch(
        f"/api/comments/{created['id']}",
        json={"body": "*after*"},
        headers=bearer(created["edit_token"]),
    )
    assert answer.status_code == 200
    assert answer.json()["html"] == "<p><em>after</em></p>"
    assert answer.json()["edited"] is not None
    assert api.listing()[0]["html"] == "<p><em>after</em></p>"


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_wrong_or_missing_token_and_closed_window(make_api: ApiFactory, method: str) -> None:
    api = make_api()
    created = api.post("x").json()
    url = f"/api/comments/{created['id']}"
    kwargs = {"json": {"body": "y"}} if method == "patch" else {}
    send = getattr(api.client, method)
    assert_error(send(url, headers=bearer("wrong"), **kwargs), 403, "forbidden")
    missing = send(url, **kwargs)
    assert_error(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"] == "Bearer"
    closed = make_api(edit_window=timedelta(0))
    late = closed.post("x").json()
    answer = getattr(closed.client, method)(
        f"/api/comments/{late['id']}", headers=bearer(late["edit_token"]), **kwargs
    )
    assert_error(answer, 403, "forbidden")
    assert "window" in answer.json()["error"]["message"]


def test_unknown_comment_is_404(api: Api) -> None:
    assert_error(
        api.client.patch("/api/comments/999", json={"body": "x"}, headers=bearer("t")), 404
    )
    assert_error(api.client.delete("/api/comments/999", headers=bearer("t")), 404)
    assert_error(api.client.post("/api/comments/999/reactions", json={"kind": "like"}), 404)


def test_delete_without_replies_removes_it(api: Api) -> None:
    created = api.post("bye").json()
    answer = api.client.delete(
        f"/api/comments/{created['id']}", headers=bearer(created["edit_token"])
    )
    assert answer.status_code == 204
    assert api.listing() == []
    counts = api.client.get("/api/counts", params={"thread": THREAD}).json()
    assert counts == {THREAD: 0}


def test_delete_with_replies_leaves_a_placeholder_then_cleans_up(api: Api) -> None:
    parent = api.post("parent").json()
    reply = api.post("reply", parent=parent["id"]).json()
    api.client.post(f"/api/comments/{parent['id']}/reactions", json={"kind": "like"})
    assert (
        api.client.delete(
            f"/api/comments/{parent['id']}", headers=bearer(parent["edit_token"])
        ).status_code
        == 204
    )
    listed = api.listing()
    assert listed[0] == {
        **listed[0],
        "id": parent["id"],
        "status": "deleted",
        "author": None,
        "html": "",
        "reactions": {"like": 0, "insightful": 0, "question": 0},
    }
    assert listed[1]["parent"] == parent["id"]
    # A deleted comment takes no new replies, edits or reactions.
    assert_error(api.post("late", parent=parent["id"]), 409, "conflict")
    assert_error(
        api.client.post(f"/api/comments/{parent['id']}/reactions", json={"kind": "like"}), 409
    )
    # Deleting the last reply removes the placeholder too.
    api.client.delete(f"/api/comments/{reply['id']}", headers=bearer(reply["edit_token"]))
    assert api.listing() == []


def test_reactions_toggle_one_per_person_per_kind(api: Api) -> None:
    created = api.post("react to me").json()
    url = f"/api/comments/{created['id']}/reactions"
    on = api.client.post(url, json={"kind": "like", "author_name": "Bob"}).json()
    assert on == {
        "comment_id": created["id"],
        "kind": "like",
        "active": True,
        "reactions": {"like": 1, "insightful": 0, "question": 0},
    }
    other = api.client.post(url, json={"kind": "like", "author_name": "Eve"}).json()
    assert other["reactions"]["like"] == 2
    off = api.client.post(url, json={"kind": "like", "author_name": "bob"}).json()
    assert off["active"] is False and off["reactions"]["like"] == 1
    api.client.post(url, json={"kind": "question"})
    assert api.listing()[0]["reactions"] == {"like": 1, "insightful": 0, "question": 1}
    assert_error(api.client.post(url, json={"kind": "angry"}), 422, "validation_error")


def test_counts_for_many_threads_in_one_call(api: Api) -> None:
    for thread, n in (("/a/", 2), ("/b/", 1)):
        for i in range(n):
            api.post(f"c{i}", thread=thread)
    answer = api.client.get("/api/counts", params={"thread": ["/a/", "/b/", "/c/", "/a/"]})
    assert answer.json() == {"/a/": 2, "/b/": 1, "/c/": 0}
    too_many = api.client.get("/api/counts", params={"thread": [f"/t{i}/" for i in range(101)]})
    assert_error(too_many, 422)
    assert_error(api.client.get("/api/counts"), 422)
    assert_error(api.client.get("/api/counts", params={"thread": "relative"}), 422)


@pytest.mark.parametrize("mode", ["all", "first-time"])
def test_moderation_holds_comments_until_approved(make_api: ApiFactory, mode: str) -> None:
    api = make_api(moderation=mode)
    held = api.post("please approve", email="ada@example.com").json()
    assert held["status"] == "pending"
    assert api.listing() == []
    pending = api.client.get("/api/admin/comments", headers=admin_headers())
    assert [c["id"] for c in pending.json()] == [held["id"]]
    assert pending.json()[0]["email"] == "ada@example.com"
    approved = api.client.post(f"/api/admin/comments/{held['id']}/approve", headers=admin_headers())
    assert approved.json()["status"] == "approved"
    assert [c["id"] for c in api.listing()] == [held["id"]]
    second = api.post("again", email="ada@example.com").json()
    assert second["status"] == ("approved" if mode == "first-time" else "pending")
    rejected = api.client.post(f"/api/admin/comments/{held['id']}/reject", headers=admin_headers())
    assert rejected.json()["status"] == "rejected"
    assert held["id"] not in [c["id"] for c in api.listing()]
    listed = api.client.get(
        "/api/admin/comments", params={"status": "rejected"}, headers=admin_headers()
    )
    assert [c["id"] for c in listed.json()] == [held["id"]]


def test_edit_under_full_moderation_goes_back_to_pending(make_api: ApiFactory) -> None:
    api = make_api(moderation="all")
    held = api.post("x").json()
    api.client.post(f"/api/admin/comments/{held['id']}/approve", headers=admin_headers())
    edited = api.client.patch(
        f"/api/comments/{held['id']}", json={"body": "spam now"}, headers=bearer(held["edit_token"])
    )
    assert edited.json()["status"] == "pending"
    assert api.listing() == []


def test_reply_to_hidden_parent_is_refused_and_orphans_show_top_level(make_api: ApiFactory) -> None:
    api = make_api()
    parent = api.post("parent").json()
    reply = api.post("reply", parent=parent["id"]).json()
    api.client.post(f"/api/admin/comments/{parent['id']}/reject", headers=admin_headers())
    assert [(c["id"], c["parent"]) for c in api.listing()] == [(reply["id"], None)]
    assert_error(api.post("x", parent=parent["id"]), 409)
    assert_error(api.post("x", parent=parent["id"], thread="/other/"), 422)
    assert_error(api.post("x", parent=123456), 422)


def test_admin_routes_need_the_admin_token(api: Api) -> None:
    created = api.post("x").json()
    for method, url in (
        ("get", "/api/admin/comments"),
        ("post", f"/api/admin/comments/{created['id']}/approve"),
        ("get", "/api/export"),
    ):
        assert_error(getattr(api.client, method)(url), 401, "unauthorized")
        assert_error(getattr(api.client, method)(url, headers=bearer("nope")), 403, "forbidden")
    assert_error(api.client.post("/api/admin/comments/999/approve", headers=admin_headers()), 404)
    assert_error(
        api.client.post(f"/api/admin/comments/{created['id']}/publish", headers=admin_headers()),
        422,
    )


def test_admin_token_unset_means_no_token_works(make_api: ApiFactory) -> None:
    api = make_api(admin_token=None)
    assert_error(api.client.get("/api/export", headers=bearer("anything")), 403)


def test_export_over_http_is_json_lines(api: Api) -> None:
    created = api.post("exported", email="ada@example.com").json()
    api.client.post(f"/api/comments/{created['id']}/reactions", json={"kind": "like"})
    answer = api.client.get("/api/export", headers=admin_headers())
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    import json

    records = [json.loads(line) for line in answer.text.splitlines()]
    assert [r["type"] for r in records] == ["comment", "reaction"]
    assert records[0]["body"] == "exported"
    assert records[0]["created"].endswith("+00:00")
    assert "edit_token" not in answer.text and created["edit_token"] not in answer.text


def test_health_reports_database_and_schema(api: Api) -> None:
    answer = api.client.get("/api/health")
    assert answer.json() == {"status": "ok", "database": "ok", "schema_version": "0002"}


def test_health_is_503_when_the_database_is_gone(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    def broken() -> None:
        raise OperationalError("SELECT 1", {}, Exception("gone"))

    monkeypatch.setattr(api.store, "ping", broken)
    assert_error(api.client.get("/api/health"), 503, "unavailable")


def test_database_errors_answer_503_with_retry_after(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    def locked(*_args: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(api.app.state.service, "post", locked)
    answer = api.post("x")
    assert_error(answer, 503, "unavailable")
    assert answer.headers["retry-after"] == "1"


def test_unexpected_errors_answer_500_without_a_trace(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_args: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(api.app.state.service, "post", boom)
    answer = api.post("x")
    assert_error(answer, 500, "internal_error")
    assert "secret internals" not in answer.text


def test_openapi_is_served_under_api(api: Api) -> None:
    schema = api.client.get("/api/openapi.json").json()
    assert "/api/comments" in schema["paths"]
    assert "CommentIn" in schema["components"]["schemas"]
    post = schema["paths"]["/api/comments"]["post"]
    assert set(post["requestBody"]["content"]) == {
        "application/json",
        "application/x-www-form-urlencoded",
    }
    assert {"201", "303", "413", "415", "422", "429"} <= set(post["responses"])


def test_listing_cache_follows_writes_from_other_processes(make_api: ApiFactory) -> None:
    writer, reader = make_api(), make_api()  # two apps, one database: as two workers
    first = writer.post("one").json()
    assert [c["html"] for c in reader.listing()] == ["<p>one</p>"]
    writer.client.patch(
        f"/api/comments/{first['id']}", json={"body": "uno"}, headers=bearer(first["edit_token"])
    )
    writer.client.post(f"/api/comments/{first['id']}/reactions", json={"kind": "like"})
    writer.post("two")
    listed = reader.listing()
    assert [c["html"] for c in listed] == ["<p>uno</p>", "<p>two</p>"]
    assert listed[0]["reactions"]["like"] == 1
