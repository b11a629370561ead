"""Alembic environment of the back office. Run only through ``backoffice.migrations.upgrade``,
which hands over a connection already inside a transaction (on PostgreSQL holding the
advisory lock that serialises the first start of several processes): the whole upgrade is
one transaction, so a failing revision leaves the database as it was."""
from alembic import context
from sqlmodel import SQLModel

import clerk_console.backoffice.tables  # noqa: F401  (registers the tables)
from clerk_console.backoffice.migrations import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata,
                  version_table=VERSION_TABLE, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
