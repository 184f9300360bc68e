"""The JSON API's OpenAPI 3.1 document (roadmap/views/api.py), written by hand: the API is
small, and the document is checked against the views by tests/roadmap/test_api.py."""


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(name: str) -> dict:
    return {
        "type": "object",
        "required": ["count", "page", "page_size", "next", "previous", "results"],
        "properties": {
            "learner_id": {"type": "integer"},
            "count": {"type": "integer"},
            "page": {"type": "integer"},
            "page_size": {"type": "integer"},
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "results": {"type": "array", "items": _ref(name)},
        },
    }


_ERRORS = {
    "401": {"description": "No valid token (missing, wrong, revoked or expired)."},
    "404": {"description": "Not found, or not yours to read (the pages' access rules)."},
    "429": {"description": "Too many requests for this token this minute (Retry-After)."},
}
_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {
        "name": "page_size",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
    },
]
_LEARNER = {"name": "learner_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _get(summary: str, schema: dict, *, params=(), description: str = "") -> dict:
    return {
        "get": {
            "summary": summary,
            "description": description,
            "parameters": list(params),
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": schema}},
                },
                **_ERRORS,
            },
        }
    }


PATHS = {
    "/me/": _get("The token's user", _ref("Me")),
    "/learners/{learner_id}/ratings/current/": _get(
        "Current self-ratings, one per competency",
        {
            "type": "object",
            "properties": {
                "learner_id": {"type": "integer"},
                "results": {"type": "array", "items": _ref("CurrentRating")},
            },
        },
        params=[_LEARNER],
        description="Yourself; as a mentor, a learner of a cohort you mentor.",
    ),
    "/learners/{learner_id}/ratings/": _get(
        "Every rating, oldest first (as in the my-data export)",
        _page_of("Rating"),
        params=[_LEARNER, *_PAGING],
    ),
    "/learners/{learner_id}/readiness/": _get(
        "Readiness per active path at the end of each week",
        {
            "type": "object",
            "properties": {
                "learner_id": {"type": "integer"},
                "results": {"type": "array", "items": _ref("PathReadiness")},
            },
        },
        params=[_LEARNER],
    ),
    "/learners/{learner_id}/plans/": _get(
        "Plans with their items and milestones (as in the my-data export)",
        _page_of("Plan"),
        params=[_LEARNER, *_PAGING],
    ),
    "/cohorts/": _get(
        "Each cohort you mentor, summarised (mentors and staff)",
        _page_of("CohortSummary"),
        params=_PAGING,
    ),
    "/cohorts/{cohort_id}/": _get(
        "One cohort you mentor, summarised",
        _ref("CohortSummary"),
        params=[
            {"name": "cohort_id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
    ),
}

_S, _I, _N = {"type": "string"}, {"type": "integer"}, {"type": ["string", "null"]}

SCHEMAS = {
    "Me": {
        "type": "object",
        "properties": {
            "id": _I,
            "email": _S,
            "name": _S,
            "role": _S,
            "target_path": _N,
            "schema_version": _I,
        },
    },
    "CurrentRating": {
        "type": "object",
        "properties": {
            "competency_slug": _S,
            "competency_name": _S,
            "level": {"type": "integer", "minimum": 0, "maximum": 4},
            "rated_at": {"type": "string", "format": "date-time"},
        },
    },
    "Rating": {
        "type": "object",
        "properties": {
            "rated_at": {"type": "string", "format": "date-time"},
            "competency_slug": _S,
            "competency_name": _S,
            "level": {"type": "integer", "minimum": 0, "maximum": 4},
            "source": {"enum": ["self", "mentor"]},
            "note": _S,
            "evidence_url": _S,
            "withdrawn": {"type": "boolean"},
        },
    },
    "PathReadiness": {
        "type": "object",
        "properties": {
            "path_slug": _S,
            "path_name": _S,
            "weeks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "week_start": {"type": "string", "format": "date"},
                        "readiness": {"type": "integer", "minimum": 0, "maximum": 100},
                    },
                },
            },
        },
    },
    "Plan": {
        "type": "object",
        "properties": {
            "created_at": {"type": "string", "format": "date-time"},
            "regenerated_at": _N,
            "path_slug": _S,
            "items": {"type": "array", "items": {"type": "object"}},
        },
    },
    "CohortSummary": {
        "type": "object",
        "properties": {
            "id": _I,
            "name": _S,
            "path_slug": _S,
            "start_date": {"type": "string", "format": "date"},
            "size": _I,
            "median_readiness": {"type": ["integer", "null"]},
            "needs_attention": _I,
        },
    },
}


def document(*, server: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Gapmap API",
            "version": "1",
            "description": "Read-only. Authenticate with a personal access token from your "
            "profile: `Authorization: Bearer gmp_...`.",
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": PATHS,
    }
