"""AWS Systems Manager Parameter Store; ``SERVICE`` is the StatefulService the emulator
instantiates."""

from hoarfrost.services.ssm.service import SsmService

SERVICE = SsmService

__all__ = ["SERVICE", "SsmService"]
