"""The service kit: machinery every service needs, written once in core."""
