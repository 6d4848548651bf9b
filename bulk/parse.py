"""A message read -> the text the model sees, exactly as the function derives it (function.mail).

Raw messages go through `mail.message_text` (the function's message/rfc822 path), text columns
through `mail.clean` (its JSON path). What leaves nothing to score is a dead letter.
"""

from __future__ import annotations

from bulk.sources import DeadLetter, Message
from function import mail


def model_text(message: Message) -> str | DeadLetter:
    if message.raw is not None:
        if not message.raw.strip():
            return DeadLetter(message.id, "empty", "the message is empty")
        try:
            text = mail.message_text(message.raw)
        except Exception as error:  # whatever the parser trips on is reported, never fatal to the run
            return DeadLetter(message.id, "unparseable", f"{type(error).__name__}: {str(error)[:200]}")
    else:
        text = mail.clean(message.text or "")
    if not text:
        return DeadLetter(message.id, "empty", "nothing to score once headers, quotes and markup are removed")
    return text
