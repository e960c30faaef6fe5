"""The one error type the CLI turns into a single line on stderr and exit code 2."""


class UsageError(Exception):
    """Bad input or set-up; the message is one sentence telling what to do."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is so that it unwinds as Ctrl-C does: synths stopped, staging
    folders removed. A KeyboardInterrupt, so that nothing that handles errors takes it for one."""
