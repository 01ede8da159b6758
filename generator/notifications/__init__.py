"""Reply and mention notifications: digests (selected by ``comments_api.notify``) → emails."""
