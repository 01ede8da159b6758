"""``veille comments``: migrate, export, import (round trip on both databases), errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from comments_api import migrations
from comments_api.store import Store
from generator.commands.comments import comments
from tests.comments_api.conftest import THREAD, ApiFactory, admin_headers


def write_site(root: Path, **comments_section: object) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    site = root / "site.yaml"
    site.write_text(yaml.safe_dump({"title": "T", "comments": comments_section}))
    return site


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(comments, list(args))
    return result.exit_code, result.output


def test_migrate_then_export_empty(db_url: str, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    code, out = run("migrate", "--site", str(site), "--db", db_url)
    assert code == 0, out
    assert f"schema version {migrations.head()}" in out
    code, out = run("export", "--site", str(site), "--db", db_url)
    assert (code, out) == (0, "")


def test_default_database_comes_from_site_yaml(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", database="sqlite:///data/c.db")
    assert run("migrate", "--site", str(site))[0] == 0
    assert (tmp_path / "site" / "data" / "c.db").is_file()


def test_export_import_round_trip(make_api: ApiFactory, db_url: str, tmp_path: Path) -> None:
    api = make_api()
    first = api.post("first **one**", email="ada@example.com").json()
    reply = api.post("reply", parent=first["id"]).json()
    api.client.post(f"/api/comments/{first['id']}/reactions", json={"kind": "like"})
    api.client.post(f"/api/comments/{first['id']}/reactions", json={"kind": "insightful"})
    api.client.delete(
        f"/api/comments/{first['id']}", headers={"authorization": f"Bearer {first['edit_token']}"}
    )
    api.post("other thread", thread="/links/2026/x/")
    site = write_site(tmp_path / "site")
    out_file = tmp_path / "backup" / "comments.jsonl"
    code, out = run("export", "--site", str(site), "--db", db_url, "-o", str(out_file))
    assert code == 0, out
    exported = out_file.read_text().splitlines()
    assert exported == api.client.get("/api/export", headers=admin_headers()).text.splitlines()
    records = [json.loads(line) for line in exported]
    assert [r["type"] for r in records] == ["comment"] * 3 + ["reaction"] * 2
    assert records[0]["status"] == "deleted" and records[1]["parent"] == first["id"]

    target = f"sqlite:///{tmp_path / 'restored.db'}"
    code, out = run("import", str(out_file), "--site", str(site), "--db", target)
    assert code == 0, out
    assert "imported 3 comments (0 already present)" in out
    code, out = run("import", str(out_file), "--site", str(site), "--db", target)
    assert "imported 0 comments (3 already present)" in out
    code, again = run("export", "--site", str(site), "--db", target)
    assert again.splitlines() == exported
    restored = Store(target)
    with restored.read() as tx:
        assert tx.get_comment(reply["id"]).depth == 1  # type: ignore[union-attr]
    assert restored.counts([THREAD, "/links/2026/x/"]) == {THREAD: 1, "/links/2026/x/": 1}
    restored.dispose()


def test_import_into_postgres_moves_the_id_sequence(
    make_api: ApiFactory, db_url: str, tmp_path: Path
) -> None:
    lines = [
        {"type": "comment", "id": 41, "thread": THREAD, "parent": None, "author_name": "A",
         "email": None, "person_id": None, "body": "imported", "status": "approved",
         "created": "2026-11-01T10:00:00+01:00", "edited": None},
        {"type": "reaction", "comment_id": 41, "kind": "like", "email": "b@example.com",
         "person_id": None, "created": "2026-11-01T10:00:00+00:00"},
        {"type": "reaction", "comment_id": 41, "kind": "like", "email": None,
         "person_id": None, "created": "2026-11-01T10:00:00+00:00"},
        {"type": "account", "email": "b@example.com", "person_id": "b",
         "first_seen": "2026-11-01T09:00:00+00:00"},
        {"type": "suppression", "email": "c@example.com", "created": "2026-11-01T09:00:00+00:00"},
    ]  # fmt: skip
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    site = write_site(tmp_path / "site")
    code, out = run("import", str(source), "--site", str(site), "--db", db_url)
    assert code == 0, out
    assert "2 reactions, 1 account, 1 suppression" in out
    api = make_api()
    created = api.post("after import").json()
    assert created["id"] == 42
    listed = api.listing()
    assert listed[0]["created"].startswith("2026-11-01T09:00:00")
    assert listed[0]["reactions"]["like"] == 2


def test_import_reports_every_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text(
        "\n".join(
            [
                "not json",
                '{"type": "comment"}',
                '{"type": "nope"}',
                "[1]",
                '{"type": "reaction", "comment_id": "x", "kind": "like", "email": null, '
                '"person_id": null, "created": "2026-01-01T00:00:00Z"}',
                '{"type": "account", "email": null, "person_id": null, "first_seen": "2026-01-01"}',
            ]
        )
    )
    site = write_site(tmp_path / "site")
    code, out = run(
        "import", str(source), "--site", str(site), "--db", f"sqlite:///{tmp_path}/x.db"
    )
    assert code == 1
    for line in range(1, 7):
        assert f"bad.jsonl:{line}:" in out
    assert "'comment_id': expected an integer" in out
    assert "time without an offset" in out


def test_import_refuses_a_conflicting_id(make_api: ApiFactory, db_url: str, tmp_path: Path) -> None:
    make_api().post("existing")
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(
            {
                "type": "comment",
                "id": 1,
                "thread": "/other/",
                "parent": None,
                "author_name": "A",
                "email": None,
                "person_id": None,
                "body": "x",
                "status": "approved",
                "created": "2020-01-01T00:00:00+00:00",
                "edited": None,
            }
        )
    )  # fmt: skip
    site = write_site(tmp_path / "site")
    code, out = run("import", str(source), "--site", str(site), "--db", db_url)
    assert code == 1
    assert "already exists" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["migrate", "--site", "{tmp}/missing.yaml"], "no such file"),
        (
            ["migrate", "--site", "{site}", "--db", "sqlite:////proc/no/such/dir/x.db"],
            "cannot open",
        ),
        (["migrate", "--site", "{site}", "--db", "nonsense://x"], "cannot open"),
    ],
)
def test_problems_exit_1_without_a_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    site = write_site(tmp_path / "site")
    filled = [a.format(tmp=tmp_path, site=site) for a in args]
    code, out = run(*filled)
    assert code == 1
    assert message in out
    assert "Traceback" not in out


def test_bad_trusted_proxy_is_reported(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", trusted_proxies=["not-an-ip"])
    code, out = run("migrate", "--site", str(site))
    assert code == 1 and "not-an-ip" in out


def test_veille_main_has_the_comments_group() -> None:
    from generator.commands.cli import main

    result = CliRunner().invoke(main, ["comments", "--help"])
    assert result.exit_code == 0
    for command in ("serve", "migrate", "export", "import"):
        assert command in result.output
