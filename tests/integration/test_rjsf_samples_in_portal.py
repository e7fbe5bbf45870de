"""The react-jsonschema-form playground samples through the real portal: import, e-Form page, page weight.

Every sample of ../shared/conformance/rjsf-samples/ is written as a definition file (tests/rjsf_samples.py),
checked by the import service and imported with `flask forms import`, once per database. The warnings each
sample draws are written down below, so that a new silent drop fails here; the samples the portal refuses are
written down with the reason. The round trip of each sample's formData is tests/unit/forms_engine's job.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from markupsafe import escape

from portal.forms_engine.definition import Problem
from portal.forms_engine.nodes import build_tree
from portal.services.procedures import LoadedFile, load_definition_files
from tests.conftest import _pg_schema_ready, _truncate_all, build_app
from tests.rjsf_samples import RjsfSample, load_samples, write_definitions

#: the intake issue's budget: an e-Form page with everything it loads, each response gzipped at level 6
PAGE_BUDGET_BYTES = 30_000
GZIP_LEVEL = 6

SAMPLES = load_samples()
BY_MODULE = {sample.module: sample for sample in SAMPLES}
BY_CODE = {sample.code: sample for sample in SAMPLES}

#: samples the portal refuses at import, with the reason (the only exceptions to "every sample imports")
REFUSED: dict[str, str] = {
    # The dossier's `data` is a JSON object in every step after import: the API takes `"data": {…}` only
    # (interfaces.md), services/dossiers.py stores and validates `dict(data)`, the citizen filing views copy
    # `dict(draft.data)`, and procedure-definition.md defines `schema` as "a JSON Schema for an object". The
    # renderer draws the one question, but its first save fails (tried: with the check bypassed, the first
    # "Tiếp tục" answers 500 from dossier_service.check_submission's `dict(data)`), so import refuses it.
    "single": "a string root: dossier data is a JSON object (API, storage, filing views)",
    "customArray": "an array root: dossier data is a JSON object (API, storage, filing views)",
}
#: the error each refused sample draws, as `pointer (English)`
REFUSED_ERRORS: dict[str, tuple[str, ...]] = {
    "single": ("/schema/type (root must be an object: dossier data is a JSON object)",),
    "customArray": ("/schema/type (root must be an object: dossier data is a JSON object)",),
}

UNKNOWN_UI_KEY = "(unknown ui: key)"
UNKNOWN_OPTION = "(unknown ui:options key)"
UNKNOWN_WIDGET = "(unknown widget: the default input is shown)"
NOT_SUPPORTED = "(not supported)"
ASCII_ONLY = "(\\d and \\w are ASCII-only on the server)"
DATA_URL = "(data-url files are not uploads: use procedure.documents)"
ASKS_NOTHING = "(root schema has no type and no properties: the e-Form asks nothing)"


def dropped(path: str) -> str:
    return f"(dropped in conversion: {path})"


#: every warning each sample draws at import, as `pointer (English)`, the sample's `dropped` notes last
EXPECTED_WARNINGS: dict[str, tuple[str, ...]] = {
    "additionalProperties": (f"/uiSchema/firstName/ui:autofocus {UNKNOWN_UI_KEY}",),
    "allOf": (),
    "alternatives": (),
    "anyOf": (),
    "arrays": (f"/uiSchema/copyable/ui:options/copyable {UNKNOWN_OPTION}",),
    "blank": (f"/schema {ASKS_NOTHING}",),
    "bundledSchema": (),
    "custom": (f"/uiSchema/ui:field {NOT_SUPPORTED}",),
    "customArray": (dropped("extra.templates.ArrayFieldTemplate"),),
    "customField": (),
    "customFieldAnyOf": (dropped("uiSchema.ui:field"),),
    "customObject": (dropped("extra.templates.ObjectFieldTemplate"),),
    "date": (
        f"/uiSchema/alternative/alt-datetime/ui:options/yearsRange {UNKNOWN_OPTION}",
        f"/uiSchema/alternative/alt-datetime/ui:options/format {UNKNOWN_OPTION}",
        f"/uiSchema/alternative/alt-date/ui:options/yearsRange {UNKNOWN_OPTION}",
        f"/uiSchema/alternative/alt-date/ui:options/format {UNKNOWN_OPTION}",
    ),
    "defaults": (),
    "enumObjects": (),
    "errorSchema": (f"/uiSchema/firstName/ui:autofocus {UNKNOWN_UI_KEY}",),
    "errors": (f"/schema/properties/firstName/pattern {ASCII_ONLY}",),
    "examples": (dropped("extra.validator"),),
    "fallback": (f"/schema {ASKS_NOTHING}",),
    "files": (
        f"/schema/properties/file/format {DATA_URL}",
        f"/schema/properties/files/items/format {DATA_URL}",
        f"/schema/properties/filesAccept/format {DATA_URL}",
        f"/uiSchema/filesAccept/ui:options/accept {UNKNOWN_OPTION}",
    ),
    "ifThenElse": (),
    "large": (),
    "layoutGrid": (
        f"/schema/definitions/Address/properties/postal_code/pattern {ASCII_ONLY}",
        f"/uiSchema/ui:field {NOT_SUPPORTED}",
        f"/uiSchema/ui:layoutGrid {UNKNOWN_UI_KEY}",
        f"/uiSchema/person/ui:field {NOT_SUPPORTED}",
        f"/uiSchema/person/address/ui:field {NOT_SUPPORTED}",
        f"/uiSchema/person/address/ui:layoutGrid {UNKNOWN_UI_KEY}",
        dropped('uiSchema is a function of the playground theme: uiSchema holds its result for theme "core"'),
    ),
    "nested": (
        f"/uiSchema/title/ui:className {UNKNOWN_UI_KEY}",
        f"/uiSchema/tasks/items/title/ui:className {UNKNOWN_UI_KEY}",
    ),
    "null": (f"/uiSchema/firstName/ui:autofocus {UNKNOWN_UI_KEY}",),
    "nullable": (f"/uiSchema/firstName/ui:autofocus {UNKNOWN_UI_KEY}",),
    "numbers": (),
    "oneOf": (),
    "optionalDataControls": (
        f"/uiSchema/ui:globalOptions {UNKNOWN_UI_KEY}",
        f"/uiSchema/nestedObjectOptional/deepArrayOptional/ui:enableOptionalDataFieldForType {UNKNOWN_UI_KEY}",
    ),
    "options": (f"/uiSchema/firstName/ui:autofocus {UNKNOWN_UI_KEY}",),
    "ordering": (),
    "patternProperties": (f"/uiSchema/firstName/ui:autofocus {UNKNOWN_UI_KEY}",),
    "propertyDependencies": (),
    "propertyNames": (),
    "references": (),
    "schemaDependencies": (),
    "simple": (
        f"/uiSchema/firstName/ui:autofocus {UNKNOWN_UI_KEY}",
        f"/uiSchema/firstName/ui:enableMarkdownInDescription {UNKNOWN_UI_KEY}",
        f"/uiSchema/lastName/ui:enableMarkdownInDescription {UNKNOWN_UI_KEY}",
    ),
    "single": (),
    "validation": (dropped("extra.customValidate"), dropped("extra.transformErrors")),
    "widgets": (
        f"/uiSchema/boolean/ui:widget {UNKNOWN_WIDGET}",
        f"/uiSchema/customWidgets/rating/ui:widget {UNKNOWN_WIDGET}",
        f"/uiSchema/customWidgets/ratingCustomStars/ui:widget {UNKNOWN_WIDGET}",
        f"/uiSchema/customWidgets/ratingCustomStars/ui:options/stars {UNKNOWN_OPTION}",
        f"/uiSchema/customWidgets/ratingHearts/ui:widget {UNKNOWN_WIDGET}",
        f"/uiSchema/customWidgets/ratingHearts/ui:options/shape {UNKNOWN_OPTION}",
        f"/uiSchema/customWidgets/ratingHearts/ui:options/color {UNKNOWN_OPTION}",
        f"/uiSchema/customWidgets/ratingColor/ui:widget {UNKNOWN_WIDGET}",
        f"/uiSchema/customWidgets/ratingColor/ui:options/color {UNKNOWN_OPTION}",
        f"/uiSchema/customWidgets/ratingGradient/ui:widget {UNKNOWN_WIDGET}",
        f"/uiSchema/customWidgets/ratingGradient/ui:options/colorGradient {UNKNOWN_OPTION}",
        f"/uiSchema/customWidgets/ratingSize/ui:widget {UNKNOWN_WIDGET}",
        f"/uiSchema/customWidgets/ratingSize/ui:options/size {UNKNOWN_OPTION}",
        f"/uiSchema/customWidgets/ratingSmall/ui:widget {UNKNOWN_WIDGET}",
        f"/uiSchema/customWidgets/ratingSmall/ui:options/size {UNKNOWN_OPTION}",
        f"/uiSchema/widgetOptions/ui:options/backgroundColor {UNKNOWN_OPTION}",
        f"/uiSchema/selectWidgetOptions/ui:options/backgroundColor {UNKNOWN_OPTION}",
        dropped("uiSchema.widgetOptions.ui:widget"),
        dropped("uiSchema.selectWidgetOptions.ui:widget"),
    ),
}

IMPORTED = [sample for sample in SAMPLES if sample.module not in REFUSED]


def tag(problem: Problem) -> str:
    """`pointer (English)`: the part of a message that names the finding, whatever its Vietnamese wording."""
    english = problem.message[problem.message.rindex("(") :]
    return f"{problem.pointer} {english}" if problem.pointer else english


@dataclass
class SamplePortal:
    """One app per database with every importable sample published, and what the import service said."""

    app: Any
    checked: dict[str, LoadedFile]
    import_output: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def portal(request, tmp_path_factory) -> Iterator[SamplePortal]:
    from portal.extensions import db

    tmp = tmp_path_factory.mktemp(f"rjsf-{request.param}")
    url = f"sqlite:///{tmp / 'portal.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    app = build_app(url, tmp)
    with app.app_context():
        if url.startswith("postgresql"):
            if not _pg_schema_ready.get(url):
                db.drop_all()
                db.create_all()
                _pg_schema_ready[url] = True
            else:
                _truncate_all(db)
        else:
            db.create_all()
    # import is all or nothing: the refused samples go in a folder of their own
    accepted = write_definitions(IMPORTED, tmp / "accepted")
    refused = write_definitions([s for s in SAMPLES if s.module in REFUSED], tmp / "refused")
    module_of = {str(path): BY_CODE[path.stem].module for path in accepted + refused}
    files = load_definition_files([str(tmp / "accepted")]) + load_definition_files([str(tmp / "refused")])
    result = app.test_cli_runner().invoke(args=["forms", "import", str(tmp / "accepted")])
    assert result.exit_code == 0, result.output
    yield SamplePortal(app, {module_of[file.path]: file for file in files}, result.stdout)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_samples_are_the_forty_of_the_readme() -> None:
    assert len(SAMPLES) == 40
    assert sorted(EXPECTED_WARNINGS) == sorted(BY_MODULE)
    assert [sample.code for sample in SAMPLES] == [f"9.{n:06d}" for n in range(1, 41)]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.module)
def test_sample_draws_exactly_its_written_down_warnings(sample: RjsfSample, tmp_path: Path) -> None:
    # checked without a database: the LoadedFile the import service makes of the file
    (file,) = load_definition_files([str(path) for path in write_definitions([sample], tmp_path)])
    warnings = [tag(p) for p in (*file.problems, *sample.notes) if p.severity == "warning"]
    assert warnings == list(EXPECTED_WARNINGS[sample.module])
    errors = [tag(p) for p in file.problems if p.severity == "error"]
    assert errors == list(REFUSED_ERRORS.get(sample.module, ()))


def test_every_sample_but_the_refused_imports_with_no_error(portal: SamplePortal) -> None:
    assert sorted(portal.checked) == sorted(BY_MODULE)
    for module, file in portal.checked.items():
        errors = [tag(p) for p in file.problems if p.severity == "error"]
        assert errors == list(REFUSED_ERRORS.get(module, ())), module
    assert portal.import_output.splitlines() == [f"{s.code} {s.name}: created" for s in IMPORTED]
    with portal.app.app_context():
        from portal.services.procedures import get_procedure

        for sample in IMPORTED:
            procedure = get_procedure(sample.code)
            assert procedure is not None and procedure.current_version is not None, sample.module
            assert procedure.current_version.definition["schema"] == sample.definition["schema"]


def first_label(sample: RjsfSample) -> str | None:
    """The label of the form's first question, as the renderer words it; None for a form with none."""
    root = build_tree(sample.definition["schema"], sample.definition.get("uiSchema"), None, "vi")
    return root.children[0].label if root.children else None


@pytest.mark.parametrize("sample", IMPORTED, ids=lambda s: s.module)
def test_sample_form_page_renders_with_its_title_and_first_question(portal: SamplePortal, sample) -> None:
    response = portal.app.test_client().get(sample.form_path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert str(escape(sample.name)) in html
    label = first_label(sample)
    if label:
        assert str(escape(label)) in html


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and "stylesheet" in (found.get("rel") or "").split() and found.get("href"):
            self.refs.append(found["href"] or "")
        elif tag == "script" and found.get("src"):
            self.refs.append(found["src"] or "")


def page_weight(client: Any, path: str) -> int:
    """gzip -6 of the page plus every same-origin stylesheet and script it references, each on its own."""
    page = client.get(path)
    assert page.status_code == 200
    parser = _Assets()
    parser.feed(page.get_data(as_text=True))
    total = len(gzip.compress(page.get_data(), compresslevel=GZIP_LEVEL, mtime=0))
    base = "http://localhost" + path
    for ref in dict.fromkeys(parser.refs):
        url = urlsplit(urljoin(base, ref))
        if url.netloc != "localhost":
            continue  # another origin would be the browser's business; the portal references none
        asset = client.get(url.path + (f"?{url.query}" if url.query else ""))
        assert asset.status_code == 200, ref
        total += len(gzip.compress(asset.get_data(), compresslevel=GZIP_LEVEL, mtime=0))
        asset.close()
    return total


def test_every_sample_form_page_is_within_the_page_weight_budget(portal: SamplePortal) -> None:
    client = portal.app.test_client()
    weights = {sample.module: page_weight(client, sample.form_path) for sample in IMPORTED}
    heaviest = max(weights, key=weights.__getitem__)
    summary = f"heaviest: {heaviest} ({BY_MODULE[heaviest].code}) {weights[heaviest] / 1000:.1f} kB gzip"
    print(f"\nrjsf sample form pages: {summary}, budget {PAGE_BUDGET_BYTES / 1000:.0f} kB")
    over = {module: weight for module, weight in weights.items() if weight > PAGE_BUDGET_BYTES}
    assert not over, f"over {PAGE_BUDGET_BYTES} bytes: {over}; {summary}"
