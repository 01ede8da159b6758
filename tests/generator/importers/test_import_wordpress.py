"""``veille import wordpress`` end to end: files, people, comments, re-runs, dry runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.commands.cli import main
from tests.conftest import SiteFactory
from tests.generator.importers.helpers import (
    DATA,
    check_front_matter,
    front_matter,
    local_targets,
    post_files,
    run_import,
    snapshot,
)

WXR = DATA / "wordpress" / "export.xml"
UPLOADS = DATA / "wordpress" / "uploads"


@pytest.fixture
def site(make_site: SiteFactory, tmp_path: Path) -> Path:
    path = make_site(posts={})
    people = path.parent / "content" / "people.yaml"
    people.write_text("# who writes here\n" + people.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "map.yaml").write_text('DevOps: sec\n"Data & AI": data\n', encoding="utf-8")
    return path


def _import(site: Path, *extra: str) -> tuple[int, str]:
    result = run_import(
        site, "wordpress", str(WXR), "--uploads", str(UPLOADS),
        "--community-map", str(site.parent.parent / "map.yaml"), *extra,
    )  # fmt: skip
    return result.exit_code, result.output


def test_posts_bundles_and_front_matter(site: Path) -> None:
    code, output = _import(site)
    content = site.parent / "content"
    assert code == 1  # one post has no date at all
    assert f"error {WXR}:360: no date: not imported" in output
    names = [str(p.relative_to(content / "posts")) for p in post_files(content)]
    assert names == [
        "2023/hello-kubernetes/index.md",
        "2023/recap/index.md",
        "2023/recap-2.md",
        "2024/internal-notes.md",
        "2024/post-of-2024-02-02.md",
        "2024/qa-devops-whats-next.md",
        "2030/kubecon-2030-preview.md",
    ]
    assert sorted(p.name for p in (content / "posts/2023/hello-kubernetes").iterdir()) == [
        "diagram-300x200.png", "diagram.png", "index.md", "photo.jpg"
    ]  # fmt: skip
    assert (content / "posts/2023/recap/team.jpg").read_bytes() == (
        UPLOADS / "2023/06/team.jpg"
    ).read_bytes()
    front, body = front_matter(content / "posts/2023/hello-kubernetes/index.md")
    assert front == {
        "title": "Hello Kubernetes",
        "date": "2023-05-01T10:00:00+02:00",
        "author": "jane-doe",
        "tags": ["Kubernetes", "CI"],
        "community": "sec",
        "summary": "How the build farm moved to Kubernetes.",
        "image": "diagram.png",
        "imported_from": "wordpress:10",
    }
    assert front_matter(content / "posts/2023/recap/index.md")[0]["author"] == "ada"
    assert front_matter(content / "posts/2030/kubecon-2030-preview.md")[0]["draft"] is True
    odd = front_matter(content / "posts/2024/qa-devops-whats-next.md")[0]
    assert odd["title"] == "Q&A: «DevOps» — what’s next?"
    assert "community" in odd  # DevOps is mapped; Uncategorized is reported once
    assert "section 'Uncategorized' not in --community-map: left out" in output
    assert "slug 'recap' already used in 2023: named 'recap-2'" in output
    for post in post_files(content):
        check_front_matter(front_matter(post)[0])
    assert '<a href="/posts/2023/recap/">meetup recap</a>' in body
    assert '<a href="/posts/2024/qa-devops-whats-next/">Q&amp;A</a>' in body
    assert '<a href="https://blog.example.com/about/">who we are</a>' in body
    assert "Imported 7 posts (7 new, 0 updated, 0 unchanged, 0 kept), 2 people, 5 files, " in output


def test_every_local_image_and_post_link_resolves(site: Path) -> None:
    _import(site)
    targets = local_targets(site.parent / "content")
    assert len(targets) >= 8
    assert [(p.name, url) for p, url, ok in targets if not ok] == []
    recap = (site.parent / "content/posts/2023/recap/index.md").read_text(encoding="utf-8")
    assert 'href="/posts/2023/hello-kubernetes/#comments"' in recap


def test_missing_upload_is_left_absolute_and_reported(site: Path) -> None:
    _, output = _import(site)
    body = front_matter(site.parent / "content/posts/2024/qa-devops-whats-next.md")[1]
    assert 'href="https://blog.example.com/wp-content/uploads/2023/05/missing.png"' in body
    assert "missing.png: not copied" in output and "left as an absolute URL" in output


def test_people_merged_without_duplicates(site: Path) -> None:
    people_path = site.parent / "content" / "people.yaml"
    before = people_path.read_text(encoding="utf-8")
    _import(site)
    after = people_path.read_text(encoding="utf-8")
    assert after.startswith(before)  # existing entries, order and comments kept
    people = yaml.safe_load(after)
    assert [p["id"] for p in people] == ["ada", "alan", "jane-doe", "bob-martin"]
    assert people[2] == {"id": "jane-doe", "name": "Jane Doe", "email": "jane.doe@example.com"}
    _import(site)
    assert people_path.read_text(encoding="utf-8") == after


def test_comments_go_into_the_store_threaded(site: Path) -> None:
    _, output = _import(site)
    assert "imported 3 comments (0 already present)" in output
    exported = CliRunner().invoke(main, ["comments", "export", "--site", str(site)])
    assert exported.exit_code == 0, exported.output
    comments = [json.loads(line) for line in exported.output.splitlines() if '"comment"' in line]
    assert [(c["id"], c["parent"], c["thread"]) for c in comments] == [
        (101, None, "/posts/2023/hello-kubernetes/"),
        (102, 101, "/posts/2023/hello-kubernetes/"),
        (103, 102, "/posts/2023/hello-kubernetes/"),
    ]
    assert comments[1]["person_id"] == "jane-doe"
    assert comments[0]["created"] == "2023-05-02T10:00:00+00:00"
    assert "Buy now" not in exported.output


def test_second_import_changes_nothing(site: Path) -> None:
    _import(site)
    before = snapshot(site.parent)
    code, output = _import(site)
    assert code == 1
    assert snapshot(site.parent) == before
    assert "Imported 7 posts (0 new, 0 updated, 7 unchanged, 0 kept), 0 people, 0 files" in output
    assert "imported 0 comments (3 already present)" in output


def test_an_edited_post_is_never_overwritten(site: Path) -> None:
    _import(site)
    post = site.parent / "content/posts/2023/recap/index.md"
    edited = post.read_text(encoding="utf-8").replace("Forty people", "Forty-two people")
    post.write_text(edited, encoding="utf-8")
    _, output = _import(site)
    assert post.read_text(encoding="utf-8") == edited
    assert "posts/2023/recap/index.md: edited since the last import: kept" in output
    assert "1 kept" in output


def test_an_unchanged_post_is_updated_when_the_source_changes(site: Path, tmp_path: Path) -> None:
    _import(site)
    changed = tmp_path / "export.xml"
    changed.write_text(
        WXR.read_text(encoding="utf-8").replace("Our panel answered", "The panel answered"),
        encoding="utf-8",
    )
    result = run_import(
        site, "wordpress", str(changed), "--uploads", str(UPLOADS),
        "--community-map", str(tmp_path / "map.yaml"),
    )  # fmt: skip
    post = site.parent / "content/posts/2024/qa-devops-whats-next.md"
    assert "The panel answered" in post.read_text(encoding="utf-8")
    assert "(0 new, 1 updated, 6 unchanged, 0 kept)" in result.output


def test_dry_run_writes_nothing(site: Path) -> None:
    before = snapshot(site.parent)
    code, output = _import(site, "--dry-run")
    assert code == 1
    assert snapshot(site.parent) == before
    assert not (site.parent / ".veille" / "import").exists()
    assert "dry run: posts/2023/hello-kubernetes/index.md: written" in output
    assert output.count("Would import 7 posts (7 new,") == 1


def test_unknown_community_in_the_map_is_a_usage_error(site: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("DevOps: ops\n", encoding="utf-8")
    result = run_import(site, "wordpress", str(WXR), "--community-map", str(tmp_path / "bad.yaml"))
    assert result.exit_code == 2
    assert "unknown community id(s) ops" in result.output


def test_the_imported_site_builds(site: Path) -> None:
    _import(site)
    out = site.parent / "public"
    built = CliRunner().invoke(main, ["build", "--site", str(site), "--out", str(out)])
    assert built.exit_code == 0, built.output
    page = (out / "posts/2023/hello-kubernetes/index.html").read_text(encoding="utf-8")
    assert 'src="diagram-300x200.png"' in page
    assert (out / "posts/2023/hello-kubernetes/diagram-300x200.png").is_file()
    assert (out / "posts/2023/recap/index.html").is_file()
