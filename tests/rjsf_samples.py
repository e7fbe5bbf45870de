"""The react-jsonschema-form playground samples of ../shared/conformance/rjsf-samples/ as procedure definitions.

Shared by the tests and the benchmark: each sample becomes a definition file with code `9.0000NN` (NN = its
1-based place in name order), the sample's name, a one-day time limit, its schema (with the draft-07
`$schema` rjsf assumes, when it names none) and its uiSchema. What the conversion had to drop (functions,
React components, listed under `dropped` in the sample) is carried as a warning-level note, so that an
import shows it next to the checks' own warnings.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal.forms_engine.definition import DRAFT_07, Problem

SAMPLES_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance" / "rjsf-samples"


@dataclass(frozen=True)
class RjsfSample:
    """One sample file and the procedure definition it becomes."""

    module: str
    name: str
    code: str
    definition: dict[str, Any]
    form_data: Any
    #: the sample's `dropped` entries, each as a warning about the whole file
    notes: tuple[Problem, ...] = field(default=())

    @property
    def form_path(self) -> str:
        return f"/thu-tuc/{self.code}/nop-ho-so"

    @property
    def file_name(self) -> str:
        """The name `forms export` would write, so that an import of the file draws no name warning."""
        return f"{self.code}.json"


def sample_paths(directory: Path = SAMPLES_DIR) -> list[Path]:
    """The sample files in name order (the README and the licence are not samples)."""
    return sorted(path for path in directory.glob("*.json") if path.is_file())


def as_definition(sample: dict[str, Any], code: str) -> dict[str, Any]:
    """A sample file's schema and uiSchema wrapped as a procedure definition (the sample is not changed)."""
    schema = copy.deepcopy(sample["schema"])
    if isinstance(schema, dict) and "$schema" not in schema:
        # rjsf's validator is AJV in draft-07 mode: that is the dialect the sample was written for
        schema = {"$schema": DRAFT_07, **schema}
    definition: dict[str, Any] = {
        "procedure": {"code": code, "name": sample["name"], "processing_days": 1},
        "schema": schema,
    }
    if sample.get("uiSchema") is not None:
        definition["uiSchema"] = copy.deepcopy(sample["uiSchema"])
    return definition


def dropped_notes(sample: dict[str, Any]) -> tuple[Problem, ...]:
    """One warning per entry the conversion removed, in the importer's words and language order."""
    notes = []
    for entry in sample.get("dropped") or []:
        where, _, what = str(entry).partition(" (")
        notes.append(
            Problem(
                "",
                f"Mẫu gốc có “{where}” ({what.removesuffix(')') or 'JavaScript'}), đã bị bỏ khi chuyển sang "
                f"JSON nên không có trong biểu mẫu (dropped in conversion: {where})",
                "warning",
            )
        )
    return tuple(notes)


def load_samples(directory: Path = SAMPLES_DIR) -> list[RjsfSample]:
    """Every sample of `directory` as a procedure definition, numbered 9.000001… in name order."""
    samples = []
    for index, path in enumerate(sample_paths(directory), start=1):
        raw = json.loads(path.read_text(encoding="utf-8"))
        code = f"9.{index:06d}"
        samples.append(
            RjsfSample(
                module=path.stem,
                name=raw["name"],
                code=code,
                definition=as_definition(raw, code),
                form_data=raw.get("formData"),
                notes=dropped_notes(raw),
            )
        )
    return samples


def write_definitions(samples: list[RjsfSample], directory: Path) -> list[Path]:
    """Each sample's definition as `<code>.json` in `directory`, ready for `flask forms import`."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for sample in samples:
        path = directory / sample.file_name
        path.write_text(json.dumps(sample.definition, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
