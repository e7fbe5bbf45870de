"""The server's validator against the official JSON-Schema-Test-Suite: every top-level draft 2020-12 and draft-07 case.

Each instance is validated by `make_validator` (same dialect selection, same RE2 `pattern`/`patternProperties`),
with two test-only arguments: the suite's `remotes/` in a `referencing.Registry` (the server's registry stays
empty, threats JS-01) and `format` as an annotation, as the suite's top-level files expect (the server asserts
formats, threats JS-06; tested here by `test_server_asserts_the_formats_the_suite_calls_annotations` and in
test_forms_validation.py). Custom metaschemas (vocabulary.json) get their `$vocabulary` keyword tables, see
test_vocabularies.py; docs/decisions/0003-json-schema-conformance.md says which disagreements may be excused.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import re2
import referencing
import referencing.jsonschema

from portal.forms_engine import make_validator
from portal.forms_engine.validation import _LONG_CATEGORIES, ecma_to_re2, pattern_search

SUITE = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "json-schema-test-suite"
REMOTES_URI = "http://localhost:1234/"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
# The suite's draft folders, the dialect their remotes are read in, and the `$schema` a form declares for it
# (the suite's draft-07 schemas leave it out; on the server a schema without `$schema` is 2020-12).
DRAFTS: dict[str, tuple[referencing.Specification[Any], str | None]] = {
    "draft2020-12": (referencing.jsonschema.DRAFT202012, None),
    "draft7": (referencing.jsonschema.DRAFT7, DRAFT_07),
}
EXPECTED_TOTALS = {"draft2020-12": 1299, "draft7": 927}  # the suite's README


class Known(NamedTuple):
    """A case where the server knowingly disagrees with the suite, and how it fails."""

    raises: type[BaseException]
    reason: str


# (file, case description, test description) -> why. xfail(strict=True): a change that makes one pass fails the run.
# Empty since make_validator honours `$vocabulary` (the five vocabulary.json tests, decision 0003). Keep the
# mechanism: a disagreement found later goes here with its reason, and the check below rejects a stale entry.
EXPECTED_FAILURES: dict[tuple[str, str, str], Known] = {}


class Case(NamedTuple):
    draft: str
    file: str  # "draft7/ref.json"
    index: int  # of the test case (schema) in its file
    case: str
    test: str
    data: Any
    valid: bool

    @property
    def key(self) -> tuple[str, str, str]:
        return self.file, self.case, self.test


SCHEMAS: dict[tuple[str, int], Any] = {}


def _load_cases() -> list[Case]:
    cases: list[Case] = []
    for draft, (_, declared) in DRAFTS.items():
        for path in sorted((SUITE / "tests" / draft).glob("*.json")):  # top level only: no optional/
            for index, group in enumerate(json.loads(path.read_text(encoding="utf-8"))):
                schema = group["schema"]
                if declared is not None and isinstance(schema, dict):
                    schema = {"$schema": declared, **schema}
                SCHEMAS[f"{draft}/{path.name}", index] = schema
                for test in group["tests"]:
                    cases.append(
                        Case(
                            draft,
                            f"{draft}/{path.name}",
                            index,
                            group["description"],
                            test["description"],
                            test["data"],
                            test["valid"],
                        )
                    )
    return cases


CASES = _load_cases() if SUITE.is_dir() else []


def _param(case: Case) -> Any:
    known = EXPECTED_FAILURES.get(case.key)
    marks = [] if known is None else [pytest.mark.xfail(strict=True, raises=known.raises, reason=known.reason)]
    return pytest.param(case, id="/".join(case.key), marks=marks)


def _remote_for(draft: str, relative: Path) -> bool:
    """A remote the draft's tests use: those in its own folder and those outside any draft's folder."""
    folder = relative.parts[0] if len(relative.parts) > 1 else ""
    return folder == draft or not (folder.startswith("draft") or folder == "v1")


@functools.cache
def _registry(draft: str) -> referencing.Registry[Any]:
    """The suite's `remotes/`, under the URIs the suite serves them at, read in the draft's dialect by default."""
    root = SUITE / "remotes"
    resources = [
        (REMOTES_URI + path.relative_to(root).as_posix(), json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(root.rglob("*.json"))
        if _remote_for(draft, path.relative_to(root))
    ]
    return referencing.Registry().with_contents(resources, default_specification=DRAFTS[draft][0])


@functools.cache
def _validator(file: str, index: int) -> Any:
    return make_validator(SCHEMAS[file, index], registry=_registry(file.split("/")[0]), assert_formats=False)


def test_the_suite_is_beside_the_checkout() -> None:
    counts = {draft: sum(case.draft == draft for case in CASES) for draft in DRAFTS}
    assert counts == EXPECTED_TOTALS, f"JSON-Schema-Test-Suite not found or changed under {SUITE}"


def test_every_expected_failure_names_a_suite_test() -> None:
    keys = [case.key for case in CASES]
    assert not set(EXPECTED_FAILURES) - set(keys)
    assert len(set(keys)) == len(keys), "ids must be unique for the exception list to name one test"


def test_only_regex_engine_limits_may_be_excused() -> None:
    # The suite's README lists the `\p{…}` pattern tests as the only ones beyond Python's regex engine; every
    # other case, vocabulary.json included, must agree with the suite.
    assert {file for file, _, _ in EXPECTED_FAILURES} <= {
        "draft2020-12/pattern.json",
        "draft2020-12/patternProperties.json",
    }


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_suite_case(case: Case) -> None:
    assert _validator(case.file, case.index).is_valid(case.data) is case.valid


# --- format: an annotation in the suite, asserted by the server (threats JS-06) --------------------------------

SERVER_FORMATS = ("date", "date-time", "time", "email", "idn-email", "uri", "regex")


@pytest.mark.parametrize("name", SERVER_FORMATS)
def test_server_asserts_the_formats_the_suite_calls_annotations(name: str) -> None:
    (group,) = [
        g
        for g in json.loads((SUITE / "tests/draft2020-12/format.json").read_text(encoding="utf-8"))
        if g["schema"].get("format") == name
    ]
    (test,) = [t for t in group["tests"] if "only an annotation" in t["description"]]
    assert test["valid"] is True
    assert make_validator(group["schema"], assert_formats=False).is_valid(test["data"])
    assert not make_validator(group["schema"]).is_valid(test["data"])


# --- ECMA-262 spellings RE2 lacks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ecma", "re2_pattern"),
    [
        (r"^\p{Letter}+$", r"^\p{L}+$"),
        (r"[\P{Lowercase_Letter}\d]", r"[\P{Ll}\d]"),
        (r"\p{General_Category=Decimal_Number}\p{Script=Greek}", r"\p{Nd}\p{Greek}"),
        (r"^[\u00C0-\u1EF9]$", r"^[\x{00C0}-\x{1EF9}]$"),
        (r"\uD83D\uDE00|\u{1F600}", r"\x{1F600}|\x{1F600}"),
        (r"\\p{Letter}\\u0041", r"\\p{Letter}\\u0041"),  # escaped backslashes: literal text, untouched
        (r"^(\d+)+$", r"^(\d+)+$"),
    ],
)
def test_ecma_spellings_become_re2_spellings(ecma: str, re2_pattern: str) -> None:
    assert ecma_to_re2(ecma) == re2_pattern


def test_every_long_category_name_compiles_in_re2() -> None:
    for short in set(_LONG_CATEGORIES.values()):
        re2.compile(rf"\p{{{short}}}\P{{{short}}}")


def test_vietnamese_letters_match_ecma_patterns() -> None:
    assert pattern_search(r"^\p{Letter}+$", "Nguyễn") and not pattern_search(r"^\p{Letter}+$", "Nguyễn1")
    assert pattern_search(r"^[\u00C0-\u1EF9]$", "ệ")
    assert pattern_search(r"^\uD83D\uDE00$", "😀")


def test_unicode_property_patterns_pass_the_schema_check() -> None:
    # The metaschema's format "regex" used Python's re, which refused the \p{L} that the publish check advises.
    assert make_validator({"type": "string", "pattern": r"^\p{L}+$"}).is_valid("Bình")


def test_a_lone_surrogate_is_matched_not_a_crash() -> None:
    # JSON may carry "\ud83d"; UTF-8, and so RE2, cannot: it is matched as U+FFFD.
    validator = make_validator({"type": "string", "pattern": "^[a-z]+$"})
    assert not validator.is_valid("\ud83d")
    assert make_validator({"type": "string", "pattern": "^.$"}).is_valid("\ud83d")
