"""The one error of adaptation: bad input or a base it cannot use; `python -m export.adapt` prints its
one-line message and exits 2, before anything is written to OUT."""


class AdaptError(ValueError):
    """One line for the customer; never a message's text."""
