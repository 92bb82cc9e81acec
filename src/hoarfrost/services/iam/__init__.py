"""AWS Identity and Access Management: users, groups, roles, managed and inline policies,
instance profiles, credentials (access keys that work across hoarfrost), identity providers,
account settings, and the policy simulator.

``SERVICE`` is the ``StatefulService`` the emulator instantiates; handlers are in
``handlers/`` (one module per resource family), state in ``state.py``, the view in ``views.py``.
"""

from hoarfrost.services.iam.service import IamService
from hoarfrost.services.iam.views import IamStateView

SERVICE = IamService

__all__ = ["SERVICE", "IamService", "IamStateView"]
