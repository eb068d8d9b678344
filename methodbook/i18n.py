"""Mark domain messages for translation without importing a translation framework."""


def N_(message: str) -> str:
    """Return the message unchanged; the app translates it when showing it."""
    return message
