"""Newsletter unsubscribe: signed tokens, a confirmation page, one-click POST (RFC 8058)."""

from __future__ import annotations

import re

import pytest

from comments_api.unsubscribe import make_token, read_token
from tests.comments_api.conftest import Api, ApiFactory, admin_headers, assert_error

SECRET = "newsletter-secret"


def test_tokens_round_trip_and_cannot_be_forged() -> None:
    token = make_token(" Ada@Example.com ", SECRET)
    assert read_token(token, SECRET) == "ada@example.com"
    assert all(c.isalnum() or c in "-_." for c in token)
    assert read_token(token, "another secret") is None
    payload, signature = token.split(".")
    forged = make_token("eve@example.com", SECRET).split(".")[0] + "." + signature
    assert read_token(forged, SECRET) is None
    for broken in ("", "abc", "a.b.c", payload + ".", "!!!.???", token + "x", "x" * 3000):
        assert read_token(broken, SECRET) is None
    with pytest.raises(ValueError):
        make_token("a@b.c", "")


def test_get_shows_a_confirmation_and_changes_nothing(api: Api) -> None:
    token = make_token("ada@example.com", SECRET)
    page = api.client.get("/api/newsletter/unsubscribe", params={"token": token})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<form method="post">' in page.text and "ada@example.com" in page.text
    assert 'name="referrer" content="no-referrer"' in page.text
    export = api.client.get("/api/export", headers=admin_headers()).text
    assert "suppression" not in export


@pytest.mark.parametrize(
    ("content", "ctype"),
    [
        (b"List-Unsubscribe=One-Click", "application/x-www-form-urlencoded"),
        (
            b'--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"'
            b"\r\n\r\nOne-Click\r\n--b--",
            "multipart/form-data; boundary=b",
        ),
        (b"", ""),
    ],
)
def test_one_click_post_suppresses_idempotently(api: Api, content: bytes, ctype: str) -> None:
    token = make_token("Ada@example.com", SECRET)
    headers = {"content-type": ctype} if ctype else {}
    for _ in range(2):
        answer = api.client.post(
            "/api/newsletter/unsubscribe", params={"token": token}, content=content, headers=headers
        )
        assert answer.status_code == 200, answer.text
    export = api.client.get("/api/export", headers=admin_headers()).text.splitlines()
    assert len(export) == 1 and export[0].startswith(
        '{"type":"suppression","email":"ada@example.com","created":"'
    )


def test_bad_tokens_are_400(api: Api) -> None:
    forged = make_token("ada@example.com", "not the secret")
    assert_error(api.client.get("/api/newsletter/unsubscribe", params={"token": forged}), 400)
    assert_error(api.client.post("/api/newsletter/unsubscribe", params={"token": forged}), 400)
    assert_error(api.client.post("/api/newsletter/unsubscribe"), 422)


def test_without_a_secret_the_endpoints_are_503(make_api: ApiFactory) -> None:
    api = make_api(newsletter_secret=None)
    token = make_token("ada@example.com", SECRET)
    error = assert_error(
        api.client.get("/api/newsletter/unsubscribe", params={"token": token}), 503
    )
    assert "VEILLE_NEWSLETTER_SECRET" in error["message"]
    assert_error(api.client.post("/api/newsletter/unsubscribe", params={"token": token}), 503)


BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def heading(page: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", page)
    assert match is not None, page
    return match.group(1)


@pytest.mark.parametrize(
    ("language", "confirm", "done", "invalid", "unconfigured"),
    [
        ("en", "Unsubscribe", "Unsubscribed", "Invalid link", "Unsubscribing is unavailable"),
        (
            "fr",
            "Se désabonner",
            "Désabonnement confirmé",
            "Lien non valide",
            "Désabonnement indisponible",
        ),
    ],
)
def test_browsers_get_a_page_for_every_outcome_in_the_site_language(
    make_api: ApiFactory,
    language: str,
    confirm: str,
    done: str,
    invalid: str,
    unconfigured: str,
) -> None:
    api = make_api(language=language)
    url = "/api/newsletter/unsubscribe"
    token = make_token("ada@example.com", SECRET)
    forged = make_token("ada@example.com", "not the secret")
    answers = {
        confirm: (api.client.get(url, params={"token": token}, headers=BROWSER), 200),
        done: (api.client.post(url, params={"token": token}, headers=BROWSER), 200),
        invalid: (api.client.get(url, params={"token": forged}, headers=BROWSER), 400),
    }
    off = make_api(newsletter_secret=None, language=language)
    answers[unconfigured] = (off.client.post(url, params={"token": token}, headers=BROWSER), 503)
    for title, (answer, status) in answers.items():
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("text/html")
        assert heading(answer.text) == title
        assert f'<html lang="{language}">' in answer.text and "<main>" in answer.text
        assert "VEILLE_NEWSLETTER_SECRET" not in answer.text  # a reader cannot act on it
    # API clients (and mail systems posting one-click) keep the JSON errors.
    assert_error(api.client.post(url, params={"token": forged}), 400)
    assert_error(off.client.post(url, params={"token": token}), 503)
