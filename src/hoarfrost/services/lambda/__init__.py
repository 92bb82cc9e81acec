"""AWS Lambda: functions, versions, aliases, permissions and concurrency, run for real in worker
processes hoarfrost manages (Python runtimes with the machine's interpreter), their output
written to CloudWatch Logs; ``SERVICE`` is the StatefulService the emulator instantiates.

The package is named ``lambda`` after botocore's service, a Python keyword, so modules inside it
import each other relatively."""

from .service import LambdaService

SERVICE = LambdaService

__all__ = ["SERVICE", "LambdaService"]
