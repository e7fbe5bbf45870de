"""JSON Schema + uiSchema -> WTForms forms and back: render, read posts, validate, list answers (pure)."""

from __future__ import annotations

from portal.forms_engine.fields import ABSENT, EngineForm
from portal.forms_engine.identity import (
    APPLICANT_SCHEMA,
    APPLICANT_TRANSLATIONS,
    APPLICANT_UI,
    normalise_id_number,
    normalise_phone,
)
from portal.forms_engine.nodes import FormSchemaError, Node
from portal.forms_engine.spec import Answer, FieldError, FormSpec, compile_form
from portal.forms_engine.validation import PatternError, compile_pattern, dialect_of, make_validator

__all__ = [
    "ABSENT",
    "APPLICANT_SCHEMA",
    "APPLICANT_TRANSLATIONS",
    "APPLICANT_UI",
    "Answer",
    "EngineForm",
    "FieldError",
    "FormSchemaError",
    "FormSpec",
    "Node",
    "PatternError",
    "compile_form",
    "compile_pattern",
    "dialect_of",
    "make_validator",
    "normalise_id_number",
    "normalise_phone",
]
