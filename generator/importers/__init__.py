"""``veille import``: bring an existing journal over (feed, WordPress, Hugo, Zola, Jekyll, Pelican).

Readers turn a source into ``ImportedPost`` records (pure, one module per kind);
the writer turns records into posts, bundles and people, keyed by ``imported_from``.
"""
