"""Who gets an incoming SMS (SPEC SMS-3): a small registry of handlers.

An app registers its handler once, in its AppConfig.ready()::

    from portal.sms.inbound import register_handler

    def survey_reply(message) -> bool:   # message: portal.sms.models.InboundMessage
        ...                              # True = "this was mine", the others are not asked
    register_handler(survey_reply)

`sms_receive` stores the message first, then asks the handlers in registration order until one
returns True; each runs in its own savepoint, so a handler that raises is rolled back, recorded
on the message, and the next handler is asked. Handlers run once per message (not again when
Kannel delivers the same message id twice).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import InboundMessage

Handler = Callable[["InboundMessage"], bool]

_handlers: dict[str, Handler] = {}


def handler_name(fn: Handler) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def register_handler(fn: Handler) -> Handler:
    """Add a handler (idempotent: keyed by its dotted name). Usable as a decorator."""
    _handlers[handler_name(fn)] = fn
    return fn


def unregister_handler(fn: Handler) -> None:
    _handlers.pop(handler_name(fn), None)


def registered_handlers() -> list[tuple[str, Handler]]:
    return list(_handlers.items())
