"""The one error table and the one renderer: every failure leaves as JSON in its protocol's shape.

/predict and the rest: `{"error": {"code": "...", "message": "..."}}`; the Open Inference
Protocol (/v2): `{"error": "..."}`, as that protocol defines it. Nothing else ever leaves as an
error: no stack trace, no server path, no bucket name.
"""

from __future__ import annotations

import json

from starlette.responses import Response

from function import lazy, service

RETRY_SECONDS = "10"
# The service's refusals -> HTTP status. The web layer's own errors carry their status.
STATUS = {"invalid_text": 400, "empty_text": 400, "invalid_batch": 400,
          "batch_too_large": 422, "invalid_threshold": 400, "invalid_explain": 400,
          "model_unavailable": 503}


class ApiError(Exception):
    """A refusal with its status, a stable code and a message for the caller."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def from_exception(error: Exception) -> ApiError:
    """Any exception -> the ApiError to answer with; an unexpected one is a 500 with no detail."""
    if isinstance(error, ApiError):
        return error
    if isinstance(error, service.Refused):
        return ApiError(STATUS[error.code], error.code, error.message)
    if isinstance(error, lazy.ModelUnavailable):
        return ApiError(503, "model_unavailable", f"the model is unavailable: {error}",
                        {"Retry-After": str(max(1, round(error.retry_after)))})
    return ApiError(500, "internal", "internal error")


def json_response(body: object, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status, headers, "application/json")


def render(error: ApiError, v2: bool = False) -> Response:
    body = {"error": error.message} if v2 else {"error": {"code": error.code, "message": error.message}}
    return json_response(body, error.status, error.headers)
