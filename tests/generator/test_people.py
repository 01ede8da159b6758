"""The directory: people and communities validated once, with the keys of the model records."""

from __future__ import annotations

import pytest

from generator.config import load_config
from generator.errors import Problem
from generator.model import Community, Person
from generator.people import load_directory, unknown_id
from tests.conftest import SiteFactory


def test_the_directory_becomes_model_records_found_by_email(make_site: SiteFactory) -> None:
    site = make_site(
        people=[
            {"id": "ada", "name": " Ada ", "email": "Ada@Example.com", "expertise": ["rust"]},
            {"id": "bob", "name": "Bob", "communities": ["data"]},
        ],
        communities=[{"id": "data", "name": "Data", "leaders": ["ada"]}],
    )
    problems: list[Problem] = []
    directory = load_directory(load_config(site), problems)
    assert problems == []
    ada = Person("ada", "Ada", "Ada@Example.com", expertise=("rust",))
    assert directory.people == (ada, Person("bob", "Bob", communities=("data",)))
    assert directory.communities == (Community("data", "Data", leaders=("ada",)),)
    assert directory.by_email() == {"ada@example.com": ada}


def test_unknown_keys_and_blank_names_name_their_line(make_site: SiteFactory) -> None:
    site = make_site(
        people=[{"id": "ada", "name": " ", "emial": "a@example.com"}],
        communities=[{"id": "data", "name": "Data", "leaderz": []}],
    )
    problems: list[Problem] = []
    directory = load_directory(load_config(site), problems)
    assert directory.people == () and directory.communities == ()
    # yaml.safe_dump sorts keys: "- emial: ...", "  id: ada", "  name: ' '"
    assert [str(p).split("content/", 1)[1] for p in problems] == [
        "communities.yaml:2: [0].leaderz: unknown key (did you mean 'leaders'?); "
        "expected one of: description, id, leaders, name, site",
        "people.yaml:1: [0].emial: unknown key (did you mean 'email'?); "
        "expected one of: bio, communities, email, expertise, id, joined, name, site, title",
        "people.yaml:3: [0].name: must not be empty, got ' '",
    ]


@pytest.mark.parametrize(
    ("known", "expected"),
    [
        (
            ["ada", "alan"],
            "unknown person id 'adda' (did you mean 'ada'?); expected one of: ada, alan",
        ),
        ([], "unknown person id 'adda'; no person id is defined"),
        (
            [f"p{i:02}" for i in range(11)] + ["ada"],
            "unknown person id 'adda' (did you mean 'ada'?)",
        ),
    ],
)
def test_an_unknown_id_suggests_and_lists_the_valid_ones_when_few(
    known: list[str], expected: str
) -> None:
    assert unknown_id("person", "adda", known) == expected
