"""The baseline for the filing benchmark: a bare Flask app with the portal's filing URL and nothing behind it.

Served by the same gunicorn command as the portal, it measures what gunicorn, Flask and the loopback cost on
their own: the route reads the whole request body and answers 201 with a small JSON document.
"""

from __future__ import annotations

import uuid

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/api/v1/procedures/<code>/dossiers")
def file_dossier(code: str):
    body = request.get_data(cache=False)
    return jsonify({"code": f"BARE-{uuid.uuid4().hex[:12]}", "procedure": code, "bytes": len(body)}), 201
