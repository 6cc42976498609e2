"""Which database errors mean the database cannot be reached (not that a query was wrong)."""
from django.db import InterfaceError, OperationalError


def unreachable(error):
    """Connection trouble, not a query that is wrong: SQLite's "database is locked", a deadlock or a
    statement timeout are errors of one write, which the next may not meet."""
    if isinstance(error, InterfaceError):
        return True
    text = str(error).lower()
    return isinstance(error, OperationalError) and any(
        sign in text for sign in ("connect", "connection", "server closed", "terminating", "shutting down",
                                  "starting up", "no such host", "timeout expired"))
