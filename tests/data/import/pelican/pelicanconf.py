# ruff: noqa: E402
AUTHOR = "Ada Lovelace"
SITENAME = "Engineering notes"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Berlin"
DEFAULT_LANG = "en"
ARTICLE_URL = "{date:%Y}/{slug}.html"
ARTICLE_SAVE_AS = ARTICLE_URL
STATIC_PATHS = ["images"]
import os  # a real settings file may compute things; they are never run

THEME = os.path.join("themes", "custom")
