"""Documentation stays true: every site.yaml key is in the README's reference."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from generator.config import SiteConfig
from tests.conftest import REPO


def keys_of(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        dotted = f"{prefix}{name}"
        keys.append(dotted)
        inner: Any = field.annotation
        for candidate in (inner, *getattr(inner, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                is_list = inner is not candidate
                keys += keys_of(candidate, f"{dotted}[]." if is_list else f"{dotted}.")
    return keys


def test_every_site_yaml_key_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    missing = [key for key in keys_of(SiteConfig) if f"| `{key}` |" not in readme]
    assert missing == []


def test_readme_shows_the_two_commands_first() -> None:
    readme = (REPO / "README.md").read_text()
    assert readme.index("make serve") < readme.index("## Using Veille")
    assert readme.index("make test") < readme.index("## Using Veille")


def test_the_ci_entry_point_runs_make_test() -> None:
    assert "make test" in (REPO / ".ci" / "run").read_text()
