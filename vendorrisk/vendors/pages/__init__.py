"""Pages of the vendors area: vendors, arrangements and chains, the register workbook."""
