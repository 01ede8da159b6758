"""The build-time comments snapshot: what the static item pages and the wall show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from comments_api.markup import render_comment
from generator.model import CommentRecord, CommentsData, ReactionRecord
from generator.snapshot import build_snapshot

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
KINDS = ("like", "insightful", "question")


def comment(
    id: int, thread: str = "/posts/2026/a/", parent: int | None = None, status: str = "approved",
    minutes: int | None = None, body: str | None = None,
) -> CommentRecord:  # fmt: skip
    return CommentRecord(
        id=id,
        thread=thread,
        parent=parent,
        author_name=f"Person {id}",
        body=body if body is not None else f"Comment **{id}**",
        status=status,
        created=T0 + timedelta(minutes=id if minutes is None else minutes),
    )


def reaction(comment_id: int, kind: str = "like") -> ReactionRecord:
    return ReactionRecord(comment_id=comment_id, kind=kind, created=T0)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.append(tag)
        self.values += [v or "" for _, v in attrs]


def ids(tree: list[dict[str, object]]) -> list[object]:
    return [(n["id"], ids(n["replies"])) for n in tree]  # type: ignore[arg-type]


def test_replies_nest_under_their_parent_in_the_order_written() -> None:
    data = CommentsData(
        comments=(comment(3, parent=1), comment(1), comment(2), comment(4, parent=1, minutes=0))
    )
    thread = build_snapshot(data, render_comment, KINDS)["/posts/2026/a/"]
    # Comment 4 was written before 3 (minutes=0), so it comes first under 1.
    assert ids(thread["comments"]) == [(1, [(4, []), (3, [])]), (2, [])]
    assert thread["count"] == 4


def test_only_approved_comments_are_shown_and_counted() -> None:
    data = CommentsData(
        comments=(
            comment(1, status="pending"),
            comment(2, status="rejected"),
            comment(3, parent=1),  # its parent is hidden: shown at the top level
            comment(4),
        )
    )
    thread = build_snapshot(data, render_comment, KINDS)["/posts/2026/a/"]
    assert ids(thread["comments"]) == [(3, []), (4, [])]
    assert thread["comments"][0]["parent"] is None
    assert thread["count"] == 2


def test_a_deleted_comment_stays_as_a_placeholder_only_while_it_has_replies() -> None:
    data = CommentsData(
        comments=(
            comment(1, status="deleted", body="secret"),
            comment(2, parent=1),
            comment(3, status="deleted"),
        ),
        reactions=(reaction(1),),
    )
    thread = build_snapshot(data, render_comment, KINDS)["/posts/2026/a/"]
    assert ids(thread["comments"]) == [(1, [(2, [])])]
    placeholder = thread["comments"][0]
    assert placeholder["deleted"] is True
    assert placeholder["author"] is None
    assert "secret" not in placeholder["html"]
    assert thread["count"] == 1
    assert thread["reactions"] == 0


def test_reactions_are_totalled_per_comment_and_per_thread_in_configured_order() -> None:
    data = CommentsData(
        comments=(comment(1), comment(2, parent=1), comment(3, thread="/links/2026/b/")),
        reactions=(
            reaction(1, "question"),
            reaction(1, "like"),
            reaction(1, "like"),
            reaction(2, "insightful"),
            reaction(2, "unknown-kind"),
            reaction(3, "like"),
        ),
    )
    snap = build_snapshot(data, render_comment, KINDS)
    first = snap["/posts/2026/a/"]["comments"][0]
    assert first["reactions"] == [("like", 2), ("insightful", 0), ("question", 1)]
    assert first["reaction_total"] == 3
    assert snap["/posts/2026/a/"]["reactions"] == 4
    assert snap["/links/2026/b/"]["reactions"] == 1


def test_bodies_are_rendered_as_safe_html() -> None:
    hostile = "<img src=x onerror=alert(1)> and [click](javascript:alert(1)) and *fine*"
    data = CommentsData(comments=(comment(1, body=hostile),))
    html = str(build_snapshot(data, render_comment, KINDS)["/posts/2026/a/"]["comments"][0]["html"])
    tags = Tags()
    tags.feed(html)
    assert ("img" not in tags.names) and not any("javascript:" in v for v in tags.values)
    assert "&lt;img" in html  # shown as text, not run
    assert "<em>fine</em>" in html


def test_threads_without_visible_comments_are_left_out_and_output_is_deterministic() -> None:
    data = CommentsData(
        comments=(comment(2, thread="/z/"), comment(1, thread="/a/"), comment(5, status="pending"))
    )
    first = build_snapshot(data, render_comment, KINDS)
    assert list(first) == ["/a/", "/z/"]
    assert first == build_snapshot(data, render_comment, KINDS)
    assert build_snapshot(CommentsData(), render_comment, KINDS) == {}
