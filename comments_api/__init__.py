"""Veille's comments API: a small FastAPI service on SQLite or PostgreSQL."""
