"""Compiled e-Form specs per published version and language; versions never change, so they cache forever."""

from __future__ import annotations

import threading
from functools import lru_cache

from portal.forms_engine import APPLICANT_SCHEMA, APPLICANT_TRANSLATIONS, APPLICANT_UI, FormSpec, compile_form
from portal.models import FormVersion

_cache: dict[tuple[int, str, str], FormSpec] = {}
_lock = threading.Lock()
_MAX = 512


def spec_for(version: FormVersion, locale: str) -> FormSpec:
    """The form of a published version; the digest in the key guards against a re-used id (test databases)."""
    key = (version.id, version.digest, locale)
    spec = _cache.get(key)
    if spec is None:
        spec = compile_form(version.schema, version.ui_schema, translations=version.translations, locale=locale)
        with _lock:
            if len(_cache) >= _MAX:
                _cache.clear()
            _cache[key] = spec
    return spec


@lru_cache(maxsize=4)
def applicant_spec(locale: str) -> FormSpec:
    return compile_form(APPLICANT_SCHEMA, APPLICANT_UI, translations=APPLICANT_TRANSLATIONS, locale=locale)
