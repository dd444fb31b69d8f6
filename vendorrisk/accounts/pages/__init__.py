"""Pages of the accounts area: sign-in, one's account, user administration, home, audit trail."""
