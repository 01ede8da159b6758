"""The ``veille`` command line and the dev server; nothing imports this package."""
