"""The core every area builds on, importing no area: settings, database, access rules,
audit trail, storage and uploads, mail, i18n, errors, the registry and domain events, and
the Excel/Word helpers."""
