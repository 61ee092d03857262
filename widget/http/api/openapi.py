"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from widget import __version__

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
            },
        }
    },
}
_SITE = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$", "default": "default"}
_POST = {"type": "string", "minLength": 1, "maxLength": 200}
_VOTER = {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$"}
_RATING = {"type": "integer", "minimum": 1, "maximum": 5}
_SUMMARY = {
    "type": "object",
    "required": ["site", "post", "average", "count", "distribution"],
    "properties": {
        "site": {"type": "string"},
        "post": {"type": "string"},
        "average": {"type": "number", "minimum": 0, "maximum": 5},
        "count": {"type": "integer", "minimum": 0},
        "distribution": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0},
            "minItems": 5,
            "maxItems": 5,
        },
    },
}
_SITE_CONFIG = {
    "type": "object",
    "description": "What the embed needs to know about the site; `lang` and `messages` only"
    " when the request named a language.",
    "required": ["slug", "threshold", "reasons", "texts", "schema", "hide_average"],
    "properties": {
        "slug": {"type": "string"},
        "threshold": {"type": "integer"},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "texts": {"type": "object"},
        "schema": {"type": ["string", "null"]},
        "hide_average": {"type": "boolean"},
        "feedback_max": {"type": "integer", "minimum": 1},
        "lang": {"type": "string"},
        "messages": {
            "type": "object",
            "description": "Texts by key; plural texts are objects by plural category",
            "additionalProperties": {"type": ["string", "object"]},
        },
    },
}
_VOTE_RESULT = {
    "allOf": [
        {"$ref": "#/components/schemas/Summary"},
        {
            "type": "object",
            "required": ["your_vote"],
            "properties": {"your_vote": {"type": ["integer", "null"], "minimum": 1, "maximum": 5}},
        },
    ]
}


def _errors(*statuses: int) -> dict[str, Any]:
    words = {
        400: "Malformed JSON",
        403: "Origin not allowed for this site (`origin_not_allowed`), or a crawler (`bot`)",
        404: "Unknown site",
        405: "Method not allowed",
        413: "Body over the size limit",
        415: "Body is not application/json",
        422: "A field is invalid; `field` names it",
        429: "Too many requests from this address, or its daily votes on the post; see Retry-After",
        503: "Shutting down or database unavailable",
    }
    answers: dict[str, Any] = {
        str(code): {
            "description": words[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in statuses
    }
    if 429 in statuses:
        answers["429"]["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before trying again",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    return answers


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema_name: str, status: str = "200") -> dict[str, Any]:
    return {
        status: {
            "description": description,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
            },
        }
    }


def openapi_document() -> dict[str, Any]:
    write_errors = _errors(400, 403, 404, 413, 415, 422, 429, 503)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rating Widget API",
            "version": __version__,
            "description": "Star ratings and reader feedback for articles.",
        },
        "paths": {
            "/api/v1/summary": {
                "get": {
                    "operationId": "getSummary",
                    "summary": "Average, count and distribution of up to 100 posts",
                    "parameters": [
                        {"name": "site", "in": "query", "schema": _SITE},
                        {
                            "name": "lang",
                            "in": "query",
                            "description": "Also send the embed's texts: one value per widget"
                            " language (a tag or an Accept-Language list; unsupported ones give"
                            " English); site.chosen[i] is the language picked for the i-th value"
                            " and site.languages holds each catalogue once",
                            "style": "form",
                            "explode": True,
                            "schema": {
                                "type": "array",
                                "items": {"type": "string", "maxLength": 200},
                                "maxItems": 100,
                            },
                        },
                        {
                            "name": "post",
                            "in": "query",
                            "required": True,
                            "style": "form",
                            "explode": True,
                            "schema": {
                                "type": "array",
                                "items": _POST,
                                "minItems": 1,
                                "maxItems": 100,
                            },
                        },
                    ],
                    "responses": {
                        **_ok("Summaries in the order asked", "Summaries"),
                        "304": {"description": "Not modified (If-None-Match)"},
                        # 403: asked from a page whose origin the site does not allow (the
                        # answer names the origin and the site, and that page may read it).
                        **_errors(403, 404, 422, 429),
                    },
                }
            },
            "/api/v1/votes": {
                "post": {
                    "operationId": "castVote",
                    "summary": "Cast or change the reader's vote",
                    "requestBody": _json_body({"$ref": "#/components/schemas/VoteRequest"}),
                    "responses": {**_ok("The post's new summary", "VoteResult"), **write_errors},
                },
                "delete": {
                    "operationId": "withdrawVote",
                    "summary": "Withdraw the reader's vote",
                    "requestBody": _json_body({"$ref": "#/components/schemas/WithdrawRequest"}),
                    "responses": {**_ok("The post's new summary", "VoteResult"), **write_errors},
                },
            },
            "/api/v1/feedback": {
                "post": {
                    "operationId": "sendFeedback",
                    "summary": "Tell the author how the post could be better",
                    "requestBody": _json_body({"$ref": "#/components/schemas/FeedbackRequest"}),
                    "responses": {
                        **_ok("Feedback stored", "FeedbackReceipt", "201"),
                        **write_errors,
                    },
                }
            },
            "/api/v1/forget": {
                "post": {
                    "operationId": "forgetReader",
                    "summary": "Delete every vote and feedback item of a reader's token",
                    "description": "Without `site`, on every site. Aggregates move as if each"
                    " vote had been withdrawn. Votes already purged for retention are no longer"
                    " linked to the token and stay counted.",
                    "requestBody": _json_body({"$ref": "#/components/schemas/ForgetRequest"}),
                    "responses": {
                        **_ok("What was deleted", "ForgetReceipt"),
                        **_errors(400, 403, 404, 413, 415, 422, 429, 503),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenAPI",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": _ERROR,
                "Summary": _SUMMARY,
                "Summaries": {
                    "type": "object",
                    "required": ["posts", "site"],
                    "properties": {
                        "posts": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Summary"},
                        },
                        "site": {"$ref": "#/components/schemas/SiteConfig"},
                    },
                },
                "SiteConfig": _SITE_CONFIG,
                "VoteResult": _VOTE_RESULT,
                "VoteRequest": {
                    "type": "object",
                    "required": ["post", "voter", "rating"],
                    "properties": {
                        "site": _SITE,
                        "post": _POST,
                        "voter": _VOTER,
                        "rating": _RATING,
                        "title": {
                            "type": "string",
                            "maxLength": 300,
                            "description": "The post's title; empty means none",
                        },
                        "url": {
                            "type": "string",
                            "maxLength": 2000,
                            "description": "Absolute http or https address of the post;"
                            " empty means none",
                        },
                    },
                },
                "WithdrawRequest": {
                    "type": "object",
                    "required": ["post", "voter"],
                    "properties": {"site": _SITE, "post": _POST, "voter": _VOTER},
                },
                "FeedbackRequest": {
                    "type": "object",
                    "required": ["post", "voter", "text"],
                    "properties": {
                        "site": _SITE,
                        "post": _POST,
                        "voter": _VOTER,
                        "text": {"type": "string", "minLength": 1, "maxLength": 2000},
                        "rating": _RATING,
                        "reason": {
                            "type": "string",
                            "pattern": "^[a-z0-9_-]{1,40}$",
                            "description": "One of the site's reasons (`site.reasons` in the"
                            " summary answer)",
                        },
                        "lang": {
                            "type": "string",
                            "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                            "maxLength": 35,
                        },
                        "hp": {"type": "string", "description": "Honeypot: leave empty"},
                        "open_ms": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "How long the form was open, in milliseconds",
                        },
                    },
                },
                "ForgetRequest": {
                    "type": "object",
                    "required": ["voter"],
                    "properties": {
                        "site": {
                            "type": ["string", "null"],
                            "pattern": _SITE["pattern"],
                            "description": "Only this site; every site when left out or null",
                        },
                        "voter": _VOTER,
                    },
                },
                "ForgetReceipt": {
                    "type": "object",
                    "required": ["forgotten"],
                    "properties": {
                        "forgotten": {
                            "type": "object",
                            "required": ["votes", "feedback"],
                            "properties": {
                                "votes": {"type": "integer", "minimum": 0},
                                "feedback": {"type": "integer", "minimum": 0},
                            },
                        }
                    },
                },
                "FeedbackReceipt": {
                    "type": "object",
                    "required": ["id", "status"],
                    "properties": {
                        "id": {"type": "integer"},
                        "status": {"type": "string", "enum": ["received"]},
                    },
                },
            }
        },
    }
