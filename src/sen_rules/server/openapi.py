"""The OpenAPI document: FastAPI's, with the request and answer shapes of
:mod:`.models` (generated from the library's own Pydantic case model) added as
components, so the document and ``sen-rules schema`` agree by construction."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from . import models

DOCUMENTED = (models.EvaluateRequest, models.BatchLine, models.Evaluation,
              models.BatchResultLine, models.Explanation, models.DecisionRecord)


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description,
                           routes=app.routes)
    _, extra = models_json_schema([(m, "validation") for m in DOCUMENTED],
                                  ref_template="#/components/schemas/{model}")
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in extra.get("$defs", {}).items():
        schemas.setdefault(name, schema)
    document["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer",
                   "description": "a token from the service's token file, with its scopes "
                   "(evaluate, record, audit-read, reload)"}}
    document["security"] = [{"bearer": []}, {}]
    app.openapi_schema = document
    return document
