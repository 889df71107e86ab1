"""The errors dlnd reports to users: one clear sentence each, mapped to an exit code by the CLI."""


class DlndError(Exception):
    """A failure the user can act on. The CLI prints the message (no traceback) and exits 1."""

    exit_code = 1


class UsageError(DlndError):
    """Bad command line, unknown project, bad config key or value: exit code 2."""

    exit_code = 2


class ConfigError(UsageError):
    """An unknown config key or an invalid config value."""


class DataError(DlndError):
    """A dataset file is missing, cannot be downloaded, or fails its checksum."""


class InputNote(UserWarning):
    """Not an error: a remark on a user's input that the command works around (a prime word the
    model never saw is read as unknown). Raised with ``warnings.warn``; the CLI shows it as one
    ``dlnd: note: ...`` line on stderr."""


class TrainingError(DlndError):
    """Training went wrong (for example the loss became NaN); the last good checkpoint is kept."""
