"""The API's single error shape and the exception handler that produces it.

Every error under the API is a JSON object:
``{"success": "error", "error": <code>, "message": <sentence>}``, plus
``"fields": {name: [messages]}`` for field validation errors.
"""

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """An error with an explicit code, status and message."""

    def __init__(self, status_code, code, message, fields=None, headers=None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}


def bad_request(message):
    return ApiError(status.HTTP_400_BAD_REQUEST, "bad_request", message)


def invalid(fields, message=None):
    return ApiError(status.HTTP_400_BAD_REQUEST, "invalid", message or describe_field_errors(fields), fields=fields)


def not_found(message):
    return ApiError(status.HTTP_404_NOT_FOUND, "not_found", message)


def conflict(message):
    return ApiError(status.HTTP_409_CONFLICT, "conflict", message)


def forbidden(message, code="forbidden"):
    return ApiError(status.HTTP_403_FORBIDDEN, code, message)


def payload_too_large(limit):
    return ApiError(
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        "payload_too_large",
        f"The request body is larger than {limit} bytes: send a smaller JSON object.",
    )


def error_body(code, message, fields=None):
    body = {"success": "error", "error": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


def error_response(status_code, code, message, fields=None):
    """Build the error as a plain Django response, for code outside DRF views."""
    return JsonResponse(error_body(code, message, fields), status=status_code)


def _flatten(detail):
    if isinstance(detail, dict):
        return {str(key): _flatten_list(value) for key, value in detail.items()}
    return {"non_field_errors": _flatten_list(detail)}


def _flatten_list(value):
    if isinstance(value, dict):
        return [f"{key}: {' '.join(_flatten_list(inner))}" for key, inner in value.items()]
    if isinstance(value, (list, tuple)):
        messages = []
        for item in value:
            messages.extend(_flatten_list(item))
        return messages
    return [str(value)]


def describe_field_errors(fields):
    parts = []
    for name, messages in fields.items():
        text = " ".join(messages)
        parts.append(text if name == "non_field_errors" else f"{name}: {text}")
    return "Invalid request. " + " ".join(parts)


def _translate(exc):
    """Map an exception to (status, code, message, fields, headers)."""
    if isinstance(exc, ApiError):
        return exc.status_code, exc.code, exc.message, exc.fields, exc.headers
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        return 400, "invalid", describe_field_errors(fields), fields, {}
    if isinstance(exc, exceptions.ParseError):
        return 400, "bad_request", str(exc.detail), None, {}
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        message = str(exc.detail)
        if isinstance(exc, exceptions.NotAuthenticated):
            message = "The API key is missing: send it in the API-KEY header."
        return 401, "unauthorized", message, None, {}
    if isinstance(exc, (exceptions.PermissionDenied, DjangoPermissionDenied)):
        detail = getattr(exc, "detail", None) or "You do not have permission to perform this action."
        return 403, "forbidden", str(detail), None, {}
    if isinstance(exc, (exceptions.NotFound, Http404)):
        return 404, "not_found", "The requested resource was not found.", None, {}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return 405, "method_not_allowed", str(exc.detail), None, {}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        message = f"{exc.detail} Send the body as JSON with Content-Type: application/json."
        return 415, "unsupported_media_type", message, None, {}
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        message = f"Too many requests: retry in {wait} seconds."
        return 429, "rate_limited", message, None, {"Retry-After": str(wait)}
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, "bad_request" if exc.status_code == 400 else "error", str(exc.detail), None, {}
    return None


def api_exception_handler(exc, context):
    """DRF exception handler: every handled error gets the API's error shape.

    Exceptions that are not API errors return None, so DRF re-raises them and
    ApiErrorMiddleware logs them and returns a generic 500.
    """
    translated = _translate(exc)
    if translated is None:
        return None
    status_code, code, message, fields, headers = translated
    response = Response(error_body(code, message, fields), status=status_code)
    for name, value in headers.items():
        response[name] = value
    # DRF stores the challenge for a 401 on the exception, and HTTP requires
    # it as a header of the response.
    if status_code == 401 and getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    if status_code == 405:
        # DRF's APIView sets the Allow header itself, from the same list.
        allowed = getattr(context.get("view"), "allowed_methods", [])
        if allowed:
            response.data["message"] = f"{message[:-1]}: use {', '.join(allowed)}."
    return response
