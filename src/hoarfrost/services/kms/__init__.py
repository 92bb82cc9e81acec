"""AWS KMS: keys of every key spec with real cryptography (``cryptography``), aliases, grants,
key policies, rotation, imported key material and multi-Region keys; ``SERVICE`` is the
StatefulService the emulator instantiates."""

from hoarfrost.services.kms.service import KmsService

SERVICE = KmsService

__all__ = ["SERVICE", "KmsService"]
