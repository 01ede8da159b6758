"""The build's sources: posts, curation and comments, read into records."""
