"""Pelican settings for the benchmark: the same pages as Veille's minimal set.

Item pages at /posts/YYYY/slug/, a paginated index (10 a page), paginated tag
and author pages, tag and author lists, one Atom feed (20 newest, full content).
Caching on, as a Pelican user would have it for rebuilds.
"""

AUTHOR = "Veille bench"
SITENAME = "Veille bench"
SITEURL = "http://127.0.0.1:8000"
PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
LOCALE = ("C",)
DEFAULT_DATE_FORMAT = "%d %B %Y"

ARTICLE_PATHS = [""]
PAGE_PATHS: list[str] = []
STATIC_PATHS: list[str] = []
THEME_STATIC_PATHS: list[str] = []
USE_FOLDER_AS_CATEGORY = False

ARTICLE_URL = "posts/{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "posts/{date:%Y}/{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
AUTHOR_URL = "authors/{slug}/"
AUTHOR_SAVE_AS = "authors/{slug}/index.html"
TAGS_SAVE_AS = "tags/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
PAGE_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "authors"]

DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {"index": None, "tag": None, "author": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
SUMMARY_MAX_LENGTH = 50

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feed.xml"
FEED_MAX_ITEMS = 20
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "mtime"
