"""Feeds in legacy encodings that declare none, served as text/xml over real HTTP:
the encoding is detected, the titles come out right, the warning says what happened."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

import pytest

from generator.feeds.cache import load_feed_items
from generator.feeds.ingest import fetch_feeds
from generator.feeds.report import FetchSettings, Outcome
from tests.generator.conftest import FeedSite
from tests.generator.feeds_conftest import LocalServer

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

TEXTS: dict[str, tuple[list[str], str]] = {
    "koi8-r": (
        [
            "Новая версия ядра Linux вышла сегодня",
            "Как мы перенесли базу данных в облако",
            "Обзор инструментов для мониторинга серверов",
        ],
        (
            "Сегодня разработчики выпустили новую верс"
            "ию, в которой исправлены ошибки и улучшен"
            "а производительность. Мы расскажем, что и"
            "зменилось и как обновиться без простоя."
        ),
    ),
    "euc-jp": (
        [
            "新しいバージョンのリリースについてのお知らせ",
            "データベースの移行で学んだこと",
            "東京で開催される開発者向けの勉強会",
        ],
        (
            "本日、開発チームは新しいバージョンを公開"
            "しました。不具合の修正と性能の改善が含ま"
            "れています。停止時間なしで更新する方法を"
            "説明します。"
        ),
    ),
    "shift_jis": (
        [
            "新しいバージョンのリリースについてのお知らせ",
            "データベースの移行で学んだこと",
            "東京で開催される開発者向けの勉強会",
        ],
        (
            "本日、開発チームは新しいバージョンを公開"
            "しました。不具合の修正と性能の改善が含ま"
            "れています。停止時間なしで更新する方法を"
            "説明します。"
        ),
    ),
    "euc-kr": (
        [
            "새로운 버전의 리눅스 커널이 출시되었습니다",
            "데이터베이스를 클라우드로 옮긴 이야기",
            "서버 모니터링 도구 비교",
        ],
        (
            "오늘 개발자들은 버그를 수정하고 성능을 "
            "개선한 새로운 버전을 공개했습니다. 무엇"
            "이 바뀌었는지, 그리고 중단 없이 업데이트"
            "하는 방법을 알려 드립니다."
        ),
    ),
    "big5": (
        [
            "新版本的作業系統今天正式發布",
            "我們如何將資料庫遷移到雲端",
            "伺服器監控工具的比較與心得",
        ],
        (
            "今天開發團隊發布了新版本，修正了許多錯誤"
            "並改善了效能。我們將說明有哪些變更，以及"
            "如何在不停機的情況下進行更新。"
        ),
    ),
    "gb2312": (
        [
            "新版本的操作系统今天正式发布",
            "我们如何将数据库迁移到云端",
            "服务器监控工具的比较与心得",
        ],
        (
            "今天开发团队发布了新版本，修正了许多错误"
            "并改善了性能。我们将说明有哪些变更，以及"
            "如何在不停机的情况下进行更新。"
        ),
    ),
    "tis-620": (
        [
            "ระบบปฏิบัติการรุ่นใหม่เปิดตัวแล้ววันนี้",
            "เราย้ายฐานข้อมูลไปยังคลาวด์ได้อย่างไร",
            "เปรียบเทียบเครื่องมือตรวจสอบเซิร์ฟเวอร์",
        ],
        (
            "วันนี้ทีมพัฒนาได้เปิดตัวรุ่นใหม่ที"
            "่แก้ไขข้อผิดพลาดและปรับปรุงประสิทธ"
            "ิภาพ เราจะอธิบายว่ามีอะไรเปลี่ยนแป"
            "ลงและวิธีอัปเดตโดยไม่ต้องหยุดระบบ"
        ),
    ),
    "windows-1255": (
        [
            "גרסה חדשה של מערכת ההפעלה שוחררה היום",
            "איך העברנו את מסד הנתונים לענן",
            "השוואה בין כלים לניטור שרתים",
        ],
        (
            "היום צוות הפיתוח פרסם גרסה חדשה שמתקנת"
            " באגים ומשפרת את הביצועים. נסביר מה הש"
            "תנה ואיך לעדכן בלי להשבית את המערכת."
        ),
    ),
}


def undeclared_feed(titles: list[str], summary: str, encoding: str) -> bytes:
    """RSS 2.0 with an XML declaration that names no encoding, in ``encoding``."""
    items = "".join(
        f'<item><title>{escape(title)}</title><guid isPermaLink="false">{n}</guid>'
        f"<description>{escape(summary)}</description></item>"
        for n, title in enumerate(titles)
    )
    doc = (
        '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Legacy</title>'
        f"<link>https://example.org/</link><description>d</description>{items}</channel></rss>"
    )
    return doc.encode(encoding)


@pytest.mark.parametrize("encoding", sorted(TEXTS))
def test_undeclared_legacy_encoding_is_detected(
    http_server: LocalServer, feed_site: FeedSite, encoding: str
) -> None:
    titles, summary = TEXTS[encoding]
    body = undeclared_feed(titles, summary, encoding)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # what a reader assuming the default would fail on
    url = http_server.route("/feed", body=body, content_type="text/xml")
    config = feed_site({"id": "legacy", "url": url})
    (report,) = fetch_feeds(config, FetchSettings(), now=NOW).feeds
    assert report.outcome is Outcome.OK
    items = load_feed_items(config)
    assert sorted(i.title for i in items) == sorted(titles)
    assert all(summary[:20] in i.summary_html for i in items)
    (warning,) = report.warnings
    assert warning.startswith("no encoding declared; read as ")
    assert "declared as utf-8" not in warning


def test_a_declared_or_utf8_feed_gets_no_warning(
    http_server: LocalServer, feed_site: FeedSite
) -> None:
    titles, summary = TEXTS["koi8-r"]
    url = http_server.route("/feed", body=undeclared_feed(titles, summary, "utf-8"))
    config = feed_site({"id": "plain", "url": url})
    (report,) = fetch_feeds(config, FetchSettings(), now=NOW).feeds
    assert report.outcome is Outcome.OK and report.warnings == ()
    assert sorted(i.title for i in load_feed_items(config)) == sorted(titles)


# -- ids of items with nothing to identify them ---------------------------------------------


def test_bare_items_of_different_feeds_stay_apart(
    http_server: LocalServer, feed_site: FeedSite
) -> None:
    bare = "<item><pubDate>Mon, 16 Nov 2026 09:00:00 GMT</pubDate></item>"
    shared_urn = (
        '<item><title>Same article</title><guid isPermaLink="false">urn:uuid:7</guid></item>'
    )
    local_guid = '<item><title>{}</title><guid isPermaLink="false">42</guid></item>'
    config = feed_site(
        *(
            {
                "id": name,
                "url": http_server.route(
                    f"/{name}",
                    body=(
                        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                        f"<title>{name}</title><link>https://{name}.example/</link>"
                        f"{bare}{shared_urn}{local_guid.format(name)}</channel></rss>"
                    ).encode(),
                    content_type="application/rss+xml",
                ),
            }
            for name in ("alpha", "beta")
        )
    )
    fetch_feeds(config, FetchSettings(), now=NOW)
    items = load_feed_items(config)
    untitled = [i for i in items if i.title == "Untitled"]
    assert sorted(i.feed_id for i in untitled) == ["alpha", "beta"]
    assert len({i.id for i in untitled}) == 2 and len({i.path for i in untitled}) == 2
    assert [i.feed_id for i in items if i.title == "Same article"] == ["alpha"]  # a real URI
    assert sorted(i.title for i in items if i.id.endswith("42")) == ["alpha", "beta"]
