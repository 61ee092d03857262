"""The Store on PostgreSQL (asyncpg): for several instances on one database.

backend.py is the Store; schema.py its migrations (the same steps as SQLite's); writer.py
the group commit of votes; listener.py the other instances' news (LISTEN/NOTIFY); reads.py,
writes.py and maintenance.py its SQL; connection.py what a lost database means to a caller.
Only this package imports asyncpg.
"""

from widget.store.postgres.backend import PostgresStore

__all__ = ["PostgresStore"]
