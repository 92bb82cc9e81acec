"""AWS Security Token Service: issued credentials that every other service honours.

``SERVICE`` is the ``StatefulService`` the emulator instantiates; handlers are in
``handlers.py``, internal state in ``state.py``, the view in ``views.py``.
"""

from hoarfrost.services.sts.service import StsService
from hoarfrost.services.sts.tokens import (
    encode_document as encode_authorization_message,
)
from hoarfrost.services.sts.tokens import trade_in_token
from hoarfrost.services.sts.views import SessionView, StsStateView

SERVICE = StsService

__all__ = ["SERVICE", "SessionView", "StsService", "StsStateView", "encode_authorization_message", "trade_in_token"]
