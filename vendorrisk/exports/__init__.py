"""Exports: the only place (with ``imports``) that touches openpyxl and python-docx."""
