"""OpenAPI paths of service evaluation: the SMS link's page, ratings, follow-ups."""

from __future__ import annotations

from typing import Any

from certhub.hub.api.openapi_parts import (
    MAYBE_MOMENT,
    MOMENT,
    cursor_query,
    page_of,
    path_param,
    problem_response,
    push_operation,
    query,
    reader_get,
)

_RATING: dict[str, Any] = {
    "type": "object",
    "required": [
        "rating",
        "service_record",
        "service_kind",
        "score",
        "rater",
        "via",
        "area",
        "rated_at",
        "follow_up",
    ],
    "properties": {
        "rating": {"type": "integer", "description": "the rating's ledger record"},
        "service_record": {"type": "integer"},
        "service_kind": {"type": "string", "enum": ["certification", "report"]},
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
        "rater": {"type": "string", "enum": ["pensioner", "family"]},
        "via": {"type": "string", "enum": ["sms_link", "channel_app"]},
        "area": {"type": "string"},
        "rated_at": MOMENT,
        "follow_up": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": [
                        "due_at",
                        "called_back_at",
                        "visited_at",
                        "rectified_at",
                        "outcome",
                    ],
                    "properties": {
                        "due_at": MOMENT,
                        "called_back_at": MAYBE_MOMENT,
                        "visited_at": MAYBE_MOMENT,
                        "rectified_at": MAYBE_MOMENT,
                        "outcome": {"type": ["string", "null"]},
                    },
                },
            ]
        },
    },
}
_HTML = {"text/html": {"schema": {"type": "string"}}}
_LINK = path_param("link", {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,300}$"})
_RATING_ID = path_param("rating_id", {"type": "string", "pattern": "^[0-9]{1,18}$"})


_RATING_ERRORS = {
    "404": "No such rating.",
    "409": "Rated already, follow-up closed, or replay.",
}


def rating_paths() -> dict[str, Any]:
    """The paths of service evaluation."""
    return {
        "/rate.css": {
            "get": {
                "summary": "The rating page's style sheet.",
                "responses": {
                    "200": {
                        "description": "CSS",
                        "content": {"text/css": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/rate/{link}": {
            "get": {
                "summary": "The rating form an SMS links to (HTML, no script, no login).",
                "parameters": [_LINK],
                "responses": {
                    "200": {"description": "The form.", "content": _HTML},
                    "404": problem_response("Not a link this deployment issued."),
                },
            },
            "post": {
                "summary": "Submit the form: one rating per service event.",
                "parameters": [_LINK],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "score": {"type": "string", "pattern": "^[1-5]$"},
                                    "rater": {"type": "string", "enum": ["pensioner", "family"]},
                                    "comment": {"type": "string", "maxLength": 500},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": {"description": "Thanks (HTML).", "content": _HTML},
                    "400": problem_response("No score from 1 to 5."),
                    "404": problem_response("Not a link this deployment issued."),
                    "409": {"description": "Rated already (HTML).", "content": _HTML},
                    "422": problem_response("The linked record is not a ratable service."),
                },
            },
        },
        "/v1/service-ratings": {
            **push_operation(
                "A channel app's rating of a service that came through it.",
                ["service_rating/v1"],
                errors=_RATING_ERRORS,
            ),
            **reader_get(
                "Ratings by id (follow_up=open: bad ratings not yet put right).",
                [
                    query("follow_up", {"type": "string", "enum": ["all", "open"]}),
                    *cursor_query(),
                ],
                page_of(_RATING),
                errors={"400": "Invalid parameter or cursor."},
            ),
        },
        "/v1/service-ratings/{rating_id}": reader_get(
            "One rating with its follow-up.",
            [_RATING_ID],
            _RATING,
            errors={"404": "No such rating, or outside the area."},
        ),
        "/v1/service-ratings/{rating_id}/follow-ups": push_operation(
            "Town staff or the county record a call-back, a visit or the fix.",
            ["rating_followup/v1"],
            parameters=[_RATING_ID],
            errors=_RATING_ERRORS,
        ),
    }
