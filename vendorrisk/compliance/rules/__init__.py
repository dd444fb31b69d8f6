"""One module per area registers its obligations with ``registry.obligation``."""
