"""Pages of the monitoring area: reviews, findings board, outbox, calendar feeds."""
