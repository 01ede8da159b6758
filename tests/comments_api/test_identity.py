"""Identity over HTTP: open mode, trusted-header mode behind configured proxies, accounts."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from comments_api.settings import parse_networks
from generator.model import Person
from tests.comments_api.conftest import THREAD, ApiFactory, admin_headers, assert_error

PEOPLE = MappingProxyType({"ada@example.com": Person("ada", "Ada Lovelace")})
SSO = {"X-Forwarded-Email": "Ada@Example.com"}


def trusted_api(make_api: ApiFactory, peer: str = "127.0.0.1", **overrides: object) -> object:
    return make_api(identity="trusted-header", people=PEOPLE, peer=peer, **overrides)


def test_open_mode_requires_a_display_name(make_api: ApiFactory) -> None:
    api = make_api()
    answer = api.client.post("/api/comments", params={"thread": THREAD}, json={"body": "hi"})
    assert_error(answer, 422, "validation_error")
    blank = api.post("hi", author_name="  \x07 ")
    assert_error(blank, 422)
    assert_error(api.post("hi", email="not-an-email"), 422)


def test_open_mode_email_links_to_the_directory(make_api: ApiFactory) -> None:
    api = make_api(people=PEOPLE)
    created = api.post("hi", email="ADA@example.com").json()
    assert created["person_id"] == "ada"
    assert api.post("hi", email="eve@example.com").json()["person_id"] is None


def test_trusted_header_mode_takes_the_email_from_the_proxy(make_api: ApiFactory) -> None:
    api = trusted_api(make_api)
    answer = api.client.post(
        "/api/comments",
        params={"thread": THREAD},
        json={"body": "hi", "author_name": "Someone else", "email": "eve@example.com"},
        headers=SSO,
    )
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["author"] == "Ada Lovelace"
    assert created["person_id"] == "ada"
    pending = api.client.get("/api/export", headers=admin_headers()).text
    assert '"email":"ada@example.com"' in pending and "eve@example.com" not in pending


def test_trusted_header_name_header_is_used_when_sent(make_api: ApiFactory) -> None:
    api = trusted_api(make_api)
    headers = {"X-Forwarded-Email": "new@example.com", "X-Forwarded-Name": "Zoé Ñ".encode()}
    created = api.client.post(
        "/api/comments", params={"thread": THREAD}, json={"body": "x"}, headers=headers
    ).json()
    assert created["author"] == "Zoé Ñ"
    assert created["person_id"] is None


@pytest.mark.parametrize("path", ["/api/comments", "/api/counts"])
def test_trusted_header_from_an_unlisted_address_is_401(make_api: ApiFactory, path: str) -> None:
    api = trusted_api(make_api, peer="127.0.0.9")
    assert_error(api.client.get(path, params={"thread": THREAD}, headers=SSO), 401, "unauthorized")


def test_trusted_header_missing_or_bad_header_is_401(make_api: ApiFactory) -> None:
    api = trusted_api(make_api)
    assert_error(api.client.get("/api/comments", params={"thread": THREAD}), 401)
    bad = {"X-Forwarded-Email": "nobody"}
    assert_error(api.client.get("/api/comments", params={"thread": THREAD}, headers=bad), 401)
    assert api.client.get("/api/health").status_code == 200


def test_proxy_networks_may_be_ranges(make_api: ApiFactory) -> None:
    api = trusted_api(
        make_api, peer="127.0.0.9", trusted_proxies=parse_networks(["127.0.0.0/29", "::1"])
    )
    assert (
        api.client.get("/api/comments", params={"thread": THREAD}, headers=SSO).status_code == 401
    )
    api = trusted_api(make_api, peer="127.0.0.5", trusted_proxies=parse_networks(["127.0.0.0/29"]))
    assert (
        api.client.get("/api/comments", params={"thread": THREAD}, headers=SSO).status_code == 200
    )


def test_first_identified_request_records_an_account_once(make_api: ApiFactory) -> None:
    api = trusted_api(make_api)
    for _ in range(3):
        assert (
            api.client.get("/api/counts", params={"thread": THREAD}, headers=SSO).status_code == 200
        )
    other = {"X-Forwarded-Email": "bob@example.com"}
    api.client.get("/api/comments", params={"thread": THREAD}, headers=other)
    lines = api.client.get("/api/export", headers=admin_headers()).text.splitlines()
    assert [line.split(',"first_seen"')[0] for line in lines] == [
        '{"type":"account","email":"ada@example.com","person_id":"ada"',
        '{"type":"account","email":"bob@example.com","person_id":null',
    ]


def test_a_new_process_does_not_record_twice(make_api: ApiFactory) -> None:
    for _ in range(2):
        api = trusted_api(make_api)
        api.client.get("/api/counts", params={"thread": THREAD}, headers=SSO)
    export = api.client.get("/api/export", headers=admin_headers()).text
    assert export.count('"type":"account"') == 1


def test_listed_admins_moderate_through_the_proxy(make_api: ApiFactory) -> None:
    api = trusted_api(make_api, admins=frozenset({"ada"}), admin_token=None)
    assert api.client.get("/api/admin/comments", headers=SSO).status_code == 200
    bob = {"X-Forwarded-Email": "bob@example.com"}
    assert_error(api.client.get("/api/admin/comments", headers=bob), 403, "forbidden")
    by_email = trusted_api(make_api, admins=frozenset({"bob@example.com"}))
    assert by_email.client.get("/api/admin/comments", headers=bob).status_code == 200


def test_reactions_in_trusted_mode_are_per_email(make_api: ApiFactory) -> None:
    api = trusted_api(make_api)
    created = api.client.post(
        "/api/comments", params={"thread": THREAD}, json={"body": "x"}, headers=SSO
    ).json()
    url = f"/api/comments/{created['id']}/reactions"
    first = api.client.post(url, json={"kind": "like", "author_name": "A"}, headers=SSO).json()
    again = api.client.post(url, json={"kind": "like", "author_name": "B"}, headers=SSO).json()
    assert (first["active"], again["active"]) == (True, False)


def test_forwarded_for_behind_a_proxy_is_the_rate_limit_address(make_api: ApiFactory) -> None:
    api = make_api(rate_limit_per_minute=1)
    one = {"X-Forwarded-For": "203.0.113.7"}
    two = {"X-Forwarded-For": "203.0.113.8, 127.0.0.1"}
    for headers in (one, two):
        answer = api.client.post(
            "/api/comments",
            params={"thread": THREAD},
            json={"body": "x", "author_name": f"n{headers}"},
            headers=headers,
        )
        assert answer.status_code == 201
    assert_error(
        api.client.post(
            "/api/comments",
            params={"thread": THREAD},
            json={"body": "x", "author_name": "n3"},
            headers=one,
        ),
        429,
    )
