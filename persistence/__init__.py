"""Persistence: PostgreSQL through SQLAlchemy 2 (async, asyncpg).

Tables and mappings, repositories, the unit of work, read-side batch
queries for DataLoaders, the embedded server bootstrap and the Alembic
migrations that are the only way the schema comes to exist.
"""
