"""``python -m vendorrisk`` runs the CLI."""
from .cli import main

main()
