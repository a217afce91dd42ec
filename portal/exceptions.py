"""The one domain error. Services raise it; views turn it into a form error or an HTTP 400/409."""


class ApplicationError(Exception):
    """A business rule refused the operation. `message` is shown to the user as is."""

    status_code = 400

    def __init__(self, message: str, *, extra: dict | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class TransitionError(ApplicationError):
    """A state machine refused a transition (HTTP 409)."""

    status_code = 409
