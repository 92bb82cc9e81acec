"""Which service and operation a request is for: look-ups by SigV4 scope, host, target, action
and URI template, never scans."""
