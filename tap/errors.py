"""The one error type the CLI turns into a single line on stderr and exit code 2."""


class UsageError(Exception):
    """Bad input or set-up; the message is one sentence telling what to do."""
