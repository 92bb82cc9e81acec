"""The generic resource engine: each service's resource families, inferred from its model.

``catalog_for(service)`` gives a service's ``ServiceCatalog`` (built on first use, cached in
memory and on disk); ``infer`` builds one without the cache. See ``catalog`` for the records.
"""

from hoarfrost.generic.catalog import Family, OperationRole, ServiceCatalog, Unresolved
from hoarfrost.generic.infer import infer
from hoarfrost.generic.store import (
           CatalogStore,
           UnknownService,
           catalog_for,
           shared_store,
)

__all__ = ["CatalogStore", "Family", "OperationRole", "ServiceCatalog", "UnknownService", "Unresolved",
           "catalog_for", "infer", "shared_store"]
