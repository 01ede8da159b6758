"""Tech-watch feeds: fetch (the only network code), parse, normalise and cache."""
