"""The areas of the product, in the order they are wired into the app.

Each is a package with one ``init_app(app)`` that registers its models, pages, API, CLI
commands, navigation and its contributions to the registry (``core.registry``) and
subscribes to the domain events it reacts to (``core.events``). An area may use ``core``
and ``vendors``; nothing else reaches into another area.
"""
from vendorrisk import accounts, certificates, compliance, contracts, monitoring, questionnaires, selection, vendors

AREAS = (accounts, vendors, selection, contracts, questionnaires, monitoring, certificates, compliance)
