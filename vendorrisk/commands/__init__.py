"""CLI commands contributed by areas of the product: each module lists ``COMMANDS``."""
