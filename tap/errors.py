"""The errors the CLI turns into a single line on stderr: bad input (exit 2), a check that failed (exit 1)."""


class UsageError(Exception):
    """Bad input or set-up; the message is one sentence telling what to do."""


class Failed(Exception):
    """A command ran and what it proves does not hold; the message is one sentence naming what."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the process is so that it unwinds as Ctrl-C does: synths stopped, staging
    folders removed. A KeyboardInterrupt, so that nothing that handles errors takes it for one."""
