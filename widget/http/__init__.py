"""The HTTP surfaces, thin adapters over the use cases (widget/actions)."""
