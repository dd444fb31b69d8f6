"""``python -m vendorrisk`` runs the CLI."""
from vendorrisk.cli import main

main()
