"""AWS Secrets Manager; ``SERVICE`` is the StatefulService the emulator instantiates."""

from hoarfrost.services.secretsmanager.service import SecretsManagerService

SERVICE = SecretsManagerService

__all__ = ["SERVICE", "SecretsManagerService"]
