"""MkDocs plugin: a Rating Widget under every page's content."""
