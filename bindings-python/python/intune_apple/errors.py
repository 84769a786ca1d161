"""Exceptions raised by intune_apple. Each carries the Graph details that help decide what to do."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional


class IntuneAppleError(Exception):
    """Base class of every error raised by intune_apple.

    Attributes (None when they do not apply): ``status`` (HTTP status), ``code`` (Graph's
    error code), ``request_id`` and ``client_request_id`` (quote them to Microsoft support),
    ``retry_after`` (seconds the service asked to wait), ``next_allowed_at`` (when a refused
    sync becomes possible), ``required_permission`` (the Graph permission a 403 needs) and
    ``operation`` (the call that failed). The message says what to do next; it never contains
    a secret."""

    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
        client_request_id: Optional[str] = None,
        retry_after: Optional[float] = None,
        next_allowed_at: Optional[datetime] = None,
        required_permission: Optional[str] = None,
        operation: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.client_request_id = client_request_id
        self.retry_after = retry_after
        self.next_allowed_at = next_allowed_at
        self.required_permission = required_permission
        self.operation = operation

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self._fields().items() if v is not None)
        return f"{type(self).__name__}({self.message!r}{', ' if shown else ''}{shown})"

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, self._fields()))

    def _fields(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "code": self.code,
            "request_id": self.request_id,
            "client_request_id": self.client_request_id,
            "retry_after": self.retry_after,
            "next_allowed_at": self.next_allowed_at,
            "required_permission": self.required_permission,
            "operation": self.operation,
        }


def _rebuild(cls: type[IntuneAppleError], message: str, fields: dict[str, Any]) -> IntuneAppleError:
    return cls(message, **fields)


class AuthenticationError(IntuneAppleError):
    """The credential was refused (401): check tenant, client id and secret or certificate."""

    kind = "unauthorized"


class PermissionDeniedError(IntuneAppleError):
    """The app lacks a Graph permission (403)."""

    kind = "forbidden"


class NotFoundError(IntuneAppleError):
    """The resource does not exist (404)."""

    kind = "not_found"


class ThrottledError(IntuneAppleError):
    """Graph or Intune throttled the app; wait `retry_after` seconds."""

    kind = "throttled"


class ConflictError(IntuneAppleError):
    """The resource changed or refuses the call in its state (409/412)."""

    kind = "conflict"


class SyncTooSoonError(IntuneAppleError):
    """A sync was asked too soon; see `next_allowed_at`."""

    kind = "sync_too_soon"


class InvalidInputError(IntuneAppleError):
    """The request's content was refused (400)."""

    kind = "invalid_input"


class OutcomeUnknownError(IntuneAppleError):
    """A write was sent but no answer came back: check its effect before retrying."""

    kind = "outcome_unknown"


class TransportError(IntuneAppleError):
    """The network failed before the request completed."""

    kind = "transport"


class DecodeError(IntuneAppleError):
    """An answer could not be decoded."""

    kind = "decode"


class ServerError(IntuneAppleError):
    """Graph answered with a server error after the retry budget."""

    kind = "server"


class ConfigurationError(IntuneAppleError):
    """The client is misconfigured (missing credential, bad URL)."""

    kind = "configuration"


class TokenFileError(IntuneAppleError):
    """A token file (.vpptoken, .p7m, .pem) could not be read."""

    kind = "token_file"


class RenewalRefusedError(IntuneAppleError):
    """A renewal was refused by a safety check; nothing was changed. The message lists every
    reason; ``code`` is the first one (``topicChanged``, ``notLater``, ``notForThisKey``, ...)."""

    kind = "renewal_refused"


class VerificationFailedError(IntuneAppleError):
    """A change was sent but reading it back does not show the expected result: check it in
    the Intune admin center before running again."""

    kind = "verification_failed"


class InvalidProfileError(InvalidInputError):
    """An enrollment profile breaks the rules; nothing was created. The message lists every
    violation."""

    kind = "invalid_profile"


class InvalidTemplateError(InvalidInputError):
    """An enrollment profile template (or its values file) breaks the rules; nothing was read
    from or written to a tenant. The message lists every issue, with its path in the file."""

    kind = "invalid_template"


class LocalFileError(IntuneAppleError):
    """A local file could not be read or written: check the path and its permissions."""

    kind = "io"


_BY_KIND: dict[str, type[IntuneAppleError]] = {
    cls.kind: cls
    for cls in (
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ThrottledError,
        ConflictError,
        SyncTooSoonError,
        InvalidInputError,
        OutcomeUnknownError,
        TransportError,
        DecodeError,
        ServerError,
        ConfigurationError,
        TokenFileError,
        RenewalRefusedError,
        VerificationFailedError,
        InvalidProfileError,
        InvalidTemplateError,
        LocalFileError,
    )
}


def _from_native(
    *,
    kind: str,
    message: str,
    status: Optional[int],
    code: Optional[str],
    request_id: Optional[str],
    client_request_id: Optional[str],
    retry_after: Optional[float],
    next_allowed_at: Optional[datetime],
    required_permission: Optional[str],
    operation: Optional[str],
) -> IntuneAppleError:
    """Builds the exception for a core error (called from the native module only)."""
    cls = _BY_KIND.get(kind, IntuneAppleError)
    return cls(
        message,
        status=status,
        code=code,
        request_id=request_id,
        client_request_id=client_request_id,
        retry_after=retry_after,
        next_allowed_at=next_allowed_at,
        required_permission=required_permission,
        operation=operation,
    )


__all__ = [
    "IntuneAppleError", "AuthenticationError", "PermissionDeniedError", "NotFoundError",
    "ThrottledError", "ConflictError", "SyncTooSoonError", "InvalidInputError",
    "OutcomeUnknownError", "TransportError", "DecodeError", "ServerError", "ConfigurationError",
    "TokenFileError", "RenewalRefusedError", "VerificationFailedError", "InvalidProfileError",
    "InvalidTemplateError",
    "LocalFileError",
]
