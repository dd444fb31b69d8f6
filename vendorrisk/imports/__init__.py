"""Imports of workbooks and documents; each import validates everything before storing anything."""
