"""Pages of the compliance area: the matrix and its exports, the dashboard."""
