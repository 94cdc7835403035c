"""Alembic migrations of the project schema; they ship inside the package."""
