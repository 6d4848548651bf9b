"""A message read -> the texts the model reads, exactly as the function derives them (function.mail).

Raw messages go through `mail.message_views` (the function's message/rfc822 path: the plain and
the HTML reading), text columns through `mail.views` (its JSON path). What leaves nothing to score
is a dead letter.
"""

from __future__ import annotations

from bulk.sources import DeadLetter, Message
from function import mail


def model_text(message: Message) -> tuple[str, ...] | DeadLetter:
    if message.raw is not None:
        if not message.raw.strip():
            return DeadLetter(message.id, "empty", "the message is empty")
        try:
            readings = mail.message_views(message.raw)
        except Exception as error:  # whatever the parser trips on is reported, never fatal to the run
            return DeadLetter(message.id, "unparseable", f"{type(error).__name__}: {str(error)[:200]}")
    else:
        readings = mail.views(message.text or "")
    if not readings:
        return DeadLetter(message.id, "empty", "nothing to score once headers, invisible text and markup are "
                                               "removed")
    return tuple(readings)
