"""Alembic environment: guanxi passes the connection and the metadata in."""

from alembic import context

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=config.attributes.get("target_metadata"),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    version_table=config.attributes.get("version_table", "alembic_version"),
)
with context.begin_transaction():
    context.run_migrations()
