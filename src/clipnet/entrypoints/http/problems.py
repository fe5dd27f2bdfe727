"""Errors as RFC 9457 problem details (``application/problem+json``), one stable type per kind.

``type`` is ``/problems/<kind>``; clients switch on it. Domain errors keep their message as
``detail``; a service ClipNET depends on that is down is a 503 with ``Retry-After`` (its
message, which may name a host, goes to the log in one line); unexpected errors are logged
and answered with a generic 500 (no traceback).
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from clipnet.domain.accounts.oauth_linking import OAuthRefused, OAuthStateMismatch
from clipnet.domain.accounts.service import EmailTaken, TooManyAttempts
from clipnet.domain.publishing.model import AccountNotLinked, PostRefused
from clipnet.domain.shared.access import Forbidden, Unauthenticated
from clipnet.domain.shared.errors import (
    ConcurrencyConflict,
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    RetriesExhausted,
    ServiceUnavailable,
)
from clipnet.entrypoints.http.schemas import ProblemOut

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

#: Domain error class -> (HTTP status, title). The most specific class wins (MRO order).
DOMAIN_STATUS: dict[type[DomainError], tuple[int, str]] = {
    NotFound: (404, "Not found"),
    InvalidInput: (422, "Invalid input"),
    EmailTaken: (409, "Email already registered"),
    IllegalTransition: (409, "Not possible in the current state"),
    ConcurrencyConflict: (409, "Changed by someone else; reload and retry"),
    RetriesExhausted: (409, "No retries left"),
    Unauthenticated: (401, "Not authenticated"),
    Forbidden: (403, "Forbidden"),
    TooManyAttempts: (429, "Too many requests"),
    OAuthStateMismatch: (400, "OAuth state mismatch"),
    OAuthRefused: (502, "The OAuth provider refused"),
    PostRefused: (409, "Cannot post"),
    AccountNotLinked: (409, "No linked account for the platform"),
}

#: HTTP status -> problem kind, for errors raised by the framework itself.
HTTP_KINDS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    429: "too-many-requests",
    502: "bad-gateway",
    503: "unavailable",
}


def problem(
    status: int,
    kind: str,
    title: str,
    detail: str = "",
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"type": f"/problems/{kind}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_problem(_request: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    for cls in type(error).__mro__:
        if cls in DOMAIN_STATUS:
            status, title = DOMAIN_STATUS[cls]
            break
    else:
        status, title = 400, "Request refused"
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 429:
        headers = {"Retry-After": "60"}
    return problem(status, error.kind, title, str(error), headers=headers)


def http_problem(_request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status = error.status_code
    if isinstance(error, ValidationException):
        errors = error.extra if isinstance(error.extra, list) else []
        return problem(
            400, "validation-failed", "Invalid request", str(error.detail), errors=errors
        )
    if status >= 500:
        return unexpected_problem(_request, error)
    kind = HTTP_KINDS.get(status, "client-error")
    headers = dict(error.headers or {})
    if isinstance(error, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem(status, kind, _title(kind), str(error.detail), headers=headers or None)


def unavailable_problem(
    request: Request[Any, Any, Any], error: ServiceUnavailable
) -> Response[Any]:
    """503 naming what is down, never where it is; the log line has the whole reason."""
    log.warning("503 on %s %s: %s", request.method, request.url.path, error)
    return problem(
        503,
        HTTP_KINDS[503],
        "Service unavailable",
        f"the {error.dependency} is unavailable; retry later",
        headers={"Retry-After": str(error.retry_after)},
    )


def unexpected_problem(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal-error",
        "Internal server error",
        "something went wrong on our side; it has been logged",
    )


def _title(kind: str) -> str:
    return kind.replace("-", " ").capitalize()


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    DomainError: domain_problem,
    HTTPException: http_problem,
    ServiceUnavailable: unavailable_problem,
    Exception: unexpected_problem,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "MediaType", "problem"]


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problems a route can answer with."""
    return {
        status: ResponseSpec(
            data_container=ProblemOut,
            media_type=PROBLEM_JSON,
            description=HTTP_KINDS.get(status, "problem").replace("-", " "),
            generate_examples=False,
        )
        for status in statuses
    }


#: What any authenticated route may answer besides success (503: the database or the session
#: store is down, with Retry-After).
AUTHED = problem_responses(400, 401, 404, 409, 422, 429, 503)
PUBLIC = problem_responses(400, 401, 409, 422, 429, 503)
#: Routes that read a body may also answer 413 (over CLIPNET_MAX_REQUEST_BYTES).
AUTHED_BODY = problem_responses(400, 401, 404, 409, 413, 422, 429, 503)
PUBLIC_BODY = problem_responses(400, 401, 409, 413, 422, 429, 503)
#: The upload: also 413 (over CLIPNET_MAX_UPLOAD_BYTES) and 415 (not multipart/form-data).
UPLOAD = problem_responses(400, 401, 404, 409, 413, 415, 422, 429, 503)
