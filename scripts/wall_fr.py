"""Regenerate the wall's French catalogue (themes/default/translations/fr/.../messages.po).

Run: .venv/bin/python scripts/wall_fr.py — the msgids are those of the wall templates.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

SINGULAR = {
    "Page not found": "Page introuvable",
    "This page does not exist, or no longer does.": "Cette page n’existe pas, ou plus.",
    "Back to the wall": "Retour au mur",
    "Post": "Article",
    "Link": "Lien",
    "Meetup": "Rencontre",
    "Pinned": "Épinglé",
    "When:": "Quand :",
    "Editor's note": "Note de la rédaction",
    "Pages": "Pages",
    "Newer": "Plus récents",
    "Page %(number)s of %(count)s": "Page %(number)s sur %(count)s",
    "Older": "Plus anciens",
    "Skip to content": "Aller au contenu",
    "Main": "Principal",
    "Wall": "Mur",
    "Communities": "Communautés",
    "People": "Personnes",
    "Tags": "Étiquettes",
    "Search": "Rechercher",
    "Search posts, links, people…": "Chercher articles, liens, personnes…",
    "Next meetups": "Prochaines rencontres",
    "Atom feed": "Flux Atom",
    "Sitemap": "Plan du site",
    "No comments yet. Start the conversation.": "Pas encore de commentaire. Lancez la discussion.",
    "Site:": "Site :",
    "Led by": "Animée par",
    "Page %(number)s": "Page %(number)s",
    "Posts": "Articles",
    "Links": "Liens",
    "Meetups": "Rencontres",
    "Nothing here yet.": "Rien ici pour l’instant.",
    "No posts yet.": "Pas encore d’article.",
    "About the meetup:": "À propos de la rencontre :",
    "Meetup details": "Détails de la rencontre",
    "Starts:": "Début :",
    "Ends:": "Fin :",
    "Where:": "Lieu :",
    "Online:": "En ligne :",
    "Read on %(source)s": "Lire sur %(source)s",
    "Share:": "Partager :",
    "by email": "par e-mail",
    "permalink": "lien permanent",
    "Tagged “%(name)s”": "Étiquette « %(name)s »",
    "Community: %(name)s": "Communauté : %(name)s",
    "Site: %(name)s": "Site : %(name)s",
    "Find a colleague by expertise, site or community.": (
        "Trouvez un collègue par expertise, site ou communauté."
    ),
    "Expertise": "Expertise",
    "Leads": "Anime",
}
PLURAL = {
    ("%(count)s comment", "%(count)s comments"): (
        "%(count)s commentaire",
        "%(count)s commentaires",
    ),
    ("%(count)s reaction", "%(count)s reactions"): ("%(count)s réaction", "%(count)s réactions"),
    ("%(count)s member", "%(count)s members"): ("%(count)s membre", "%(count)s membres"),
    ("%(count)s item", "%(count)s items"): ("%(count)s élément", "%(count)s éléments"),
}


def main() -> None:
    catalog = Catalog(locale="fr", project="Veille", fuzzy=False)
    for msgid, msgstr in SINGULAR.items():
        catalog.add(msgid, msgstr)
    for ids, strs in PLURAL.items():
        catalog.add(ids, (strs[0], strs[1], strs[1]))  # CLDR: one, many, other
    target = Path("themes/default/translations/fr/LC_MESSAGES/messages.po")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True)


if __name__ == "__main__":
    main()
