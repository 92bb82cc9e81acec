"""The service kit: what every service needs once (ARNs, pagination tokens, tags, ...)."""
