"""Alembic environment of the replica. Run only through ``storage.migrations.upgrade``, which
hands over a connection already inside a ``BEGIN IMMEDIATE`` transaction: the whole upgrade is
one transaction, so a failing revision leaves the file as it was."""
from alembic import context

from clerk_console.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
