# ruff: noqa: F403
import sys

sys.path.append(".")
from pelicanconf import *

SITEURL = "https://notes.example.org"
