"""The SQLite implementation of the store: SQL, the writer, migrations."""
