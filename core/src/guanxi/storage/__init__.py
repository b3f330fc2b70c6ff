"""Storage: the tables, the connection to SQLite or PostgreSQL, migrations."""
