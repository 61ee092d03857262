"""Rating Widget: self-hosted article ratings and reader feedback."""

__version__ = "0.1.0"
