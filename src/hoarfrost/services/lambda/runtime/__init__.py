"""Running functions: worker processes (``workers``), one invocation on one of them
(``invocation``), the queue of asynchronous invocations (``events``), and the small runtime
client each Python worker runs (``bootstrap_python.py``, a script, never imported here)."""
