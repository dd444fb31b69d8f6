"""Use cases as plain functions by topic. They take a session, add and flush, never commit."""
