"""Models, one module per aggregate. Importing this package registers every table.

Modules are discovered, so an aggregate added in its own module needs no edit here.
"""
import importlib
import pkgutil

from sqlmodel import SQLModel

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")

metadata = SQLModel.metadata
