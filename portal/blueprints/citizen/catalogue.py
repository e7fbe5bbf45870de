"""The home page catalogue of procedures, grouped by sector and searchable without accents, and one procedure."""

from __future__ import annotations

from itertools import groupby

from flask import abort, render_template, request

from portal.blueprints.citizen import bp
from portal.services.procedures import get_procedure, list_published_procedures, search_procedures


@bp.get("/")
def home():
    query = (request.args.get("q") or "").strip()[:200]
    procedures = search_procedures(query) if query else list_published_procedures()
    groups = [(field or "", list(items)) for field, items in groupby(procedures, key=lambda p: p.field)]
    return render_template("citizen/home.html", query=query, groups=groups, count=len(procedures))


@bp.get("/thu-tuc/<code>")
def procedure(code: str):
    proc = get_procedure(code)
    if proc is None or proc.current_version is None:
        abort(404)
    return render_template(
        "citizen/procedure.html", procedure=proc, version=proc.current_version, meta=proc.current_version.meta
    )
