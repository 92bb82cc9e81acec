"""The generic resource engine: serves, with real state, the resource families the catalog
(``hoarfrost.generic``) inferred for a service without hand-written handlers.

A package of its own, apart from inference: the catalog cache's digest covers the inference
modules only, so editing the engine does not rebuild every service's catalog.

* ``plan``: which operations the engine serves, and as what role of which family.
* ``service``: the ``GenericService`` the pipeline dispatches to.
* ``ops``: create / read / list / update / delete / tags, answered in the output shapes.
* ``shapes``: stored values cut to output shapes; identifiers the service assigns.
* ``state``: resources per (account, region) and their typed view.
* ``sample``: minimal valid inputs from the model (for tests and tools).
"""

from hoarfrost.generic.engine.plan import serves
from hoarfrost.generic.engine.service import GenericService

__all__ = ["GenericService", "serves"]
