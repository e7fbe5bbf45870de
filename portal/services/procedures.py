"""Procedures and their published form versions: definition files in and out, and the catalogue.

The only code that reads or writes Procedure and FormVersion. Functions flush, never commit: the CLI command
or the request that calls them owns the one commit.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select

from portal.extensions import db
from portal.forms_engine.definition import (
    Problem,
    check_definition,
    definition_digest,
    has_errors,
    normalize_definition,
)
from portal.forms_engine.text import fold
from portal.models.procedure import FormVersion, Procedure

#: a definition file larger than this is refused before it is parsed (the schema inside is capped at 512 KB)
MAX_FILE_BYTES = 2 * 1024 * 1024

ImportStatus = Literal["created", "new version", "unchanged"]

# the order a human reads a definition file in; export writes the parts in this order
_PART_ORDER = ("procedure", "schema", "uiSchema", "translations")


@dataclass(frozen=True)
class LoadedFile:
    """A definition file read and checked; `document` is None when it could not be parsed."""

    path: str
    document: dict[str, Any] | None
    problems: tuple[Problem, ...] = ()

    @property
    def has_errors(self) -> bool:
        return has_errors(list(self.problems))

    @property
    def code(self) -> str | None:
        procedure = self.document.get("procedure") if self.document else None
        code = procedure.get("code") if isinstance(procedure, dict) else None
        return code if isinstance(code, str) else None


@dataclass(frozen=True)
class ImportResult:
    """What importing one file did to its procedure; `version` is the current version number afterwards."""

    code: str
    name: str
    status: ImportStatus
    version: int
    path: str


class DefinitionRejected(Exception):
    """Raised by import_definitions when any file has an error; nothing was written."""

    def __init__(self, files: list[LoadedFile]) -> None:
        self.files = files
        count = sum(1 for file in files for problem in file.problems if problem.severity == "error")
        super().__init__(f"{count} error(s) in {len(files)} definition file(s)")


# ---------------------------------------------------------------------------------------------- loading


def prepare_definition(document: Any, *, source: str = "") -> LoadedFile:
    """Normalise (NFC) and check a definition that is already parsed, e.g. one uploaded on an admin screen."""
    normalised = normalize_definition(document)
    problems = check_definition(normalised, source=source)
    return LoadedFile(source, normalised if isinstance(normalised, dict) else None, tuple(problems))


def load_definition_files(paths: list[str]) -> list[LoadedFile]:
    """Read and check definition files; a folder stands for its `*.json` files in name order.

    Never raises for a bad file: every problem, JSON syntax errors with line and column included, is in the
    returned LoadedFile. Two files that define the same procedure code are an error on the second.
    """
    loaded: list[LoadedFile] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            members = sorted(member for member in path.glob("*.json") if member.is_file())
            if not members:
                loaded.append(
                    LoadedFile(given, None, (Problem("", "Thư mục không có tệp .json nào (no .json files)"),))
                )
            candidates = members
        elif path.exists():
            candidates = [path]
        else:
            loaded.append(LoadedFile(given, None, (Problem("", "Không tìm thấy tệp hoặc thư mục (not found)"),)))
            continue
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved in seen:  # named twice, e.g. as a file and through its folder
                continue
            seen.add(resolved)
            loaded.append(_load_file(candidate))
    return _mark_duplicate_codes(loaded)


def _load_file(path: Path) -> LoadedFile:
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _unreadable(shown, f"Tệp quá lớn: {size // 1024} KB, tối đa {MAX_FILE_BYTES // 1024} KB (too large)")
        raw = path.read_bytes()
    except OSError as exc:
        return _unreadable(shown, f"Không đọc được tệp ({exc.strerror or exc})")
    try:
        text = raw.decode("utf-8-sig")  # Windows Notepad starts UTF-8 files with a byte-order mark
    except UnicodeDecodeError as exc:
        return _unreadable(
            shown, f"Tệp không phải UTF-8: byte không hợp lệ ở vị trí {exc.start}; hãy lưu lại với mã UTF-8"
        )
    duplicates: list[str] = []
    try:
        document = json.loads(
            text,
            object_pairs_hook=lambda pairs: _object_without_duplicates(pairs, duplicates),
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as exc:
        return _unreadable(shown, f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg} (syntax error)")
    except ValueError as exc:  # NaN / Infinity, which Python accepts and JSON does not
        return _unreadable(shown, f"JSON không hợp lệ: {exc}")
    except RecursionError:
        return _unreadable(shown, "JSON lồng nhau quá sâu (nesting too deep)")
    prepared = prepare_definition(document, source=path.name)
    # a repeated key silently keeps the last value; the admin meant one of them, we cannot tell which
    repeated = tuple(
        Problem("", f"Khóa “{key}” xuất hiện hai lần trong cùng một đối tượng (duplicate key)")
        for key in dict.fromkeys(duplicates)
    )
    return dataclasses.replace(prepared, path=shown, problems=repeated + prepared.problems)


def _object_without_duplicates(pairs: list[tuple[str, Any]], duplicates: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            duplicates.append(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"“{name}” không phải giá trị JSON (not a JSON value)")


def _unreadable(path: str, message: str) -> LoadedFile:
    return LoadedFile(path, None, (Problem("", message),))


def _mark_duplicate_codes(files: list[LoadedFile]) -> list[LoadedFile]:
    first_path: dict[str, str] = {}
    marked: list[LoadedFile] = []
    for file in files:
        code = file.code
        if code is not None and code in first_path:
            problem = Problem(
                "/procedure/code",
                f"Mã thủ tục “{code}” đã có trong tệp {first_path[code]}; mỗi thủ tục chỉ một tệp "
                "(duplicate procedure code)",
            )
            file = dataclasses.replace(file, problems=(*file.problems, problem))
        elif code is not None:
            first_path[code] = file.path
        marked.append(file)
    return marked


# ---------------------------------------------------------------------------------------- import / export


def import_definitions(files: list[LoadedFile]) -> list[ImportResult]:
    """Publish every file: created, new version (when the digest differs from the current one) or unchanged.

    All or nothing: if any file has an error, raises DefinitionRejected before touching the session.
    Published versions are never changed; a changed file always adds version number max + 1.
    """
    files = _mark_duplicate_codes(list(files))
    rejected = [file for file in files if file.has_errors or file.document is None]
    if rejected:
        raise DefinitionRejected(rejected)
    results = [_import_one(file) for file in files]
    db.session.flush()
    return results


def _import_one(file: LoadedFile) -> ImportResult:
    document = file.document
    assert document is not None  # import_definitions refused files without one
    meta = document["procedure"]
    code, name = meta["code"], meta["name"]
    digest = definition_digest(document)
    procedure = get_procedure(code)
    status: ImportStatus
    if procedure is None:
        procedure = Procedure(code=code)
        db.session.add(procedure)
        number, status = 1, "created"
    elif procedure.current_version is not None and procedure.current_version.digest == digest:
        return ImportResult(code, procedure.name, "unchanged", procedure.current_version.number, file.path)
    else:
        latest = db.session.scalar(select(func.max(FormVersion.number)).where(FormVersion.procedure_id == procedure.id))
        number, status = (latest or 0) + 1, "new version"
    version = FormVersion(procedure=procedure, number=number, definition=document, digest=digest)
    db.session.add(version)
    procedure.current_version = version
    # the catalogue columns always follow the newest version, so the list needs no JSON parsing
    procedure.name = name
    procedure.field = meta.get("field") or ""
    procedure.search_text = fold(f"{name} {procedure.field} {code}")
    return ImportResult(code, name, status, number, file.path)


def export_definitions(directory: str | Path) -> list[Path]:
    """Write each published procedure's current version as `<code>.json`, which import reads as unchanged.

    The output is stable (2-space indent, real UTF-8 characters, a final newline), so exporting twice gives
    byte-identical files that diff cleanly in git.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for procedure in sorted(list_published_procedures(), key=lambda p: p.code):
        version = procedure.current_version
        assert version is not None  # list_published_procedures returns only those with one
        path = target / f"{procedure.code}.json"
        path.write_text(render_definition(version.definition), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def render_definition(definition: dict[str, Any]) -> str:
    """The file text of a definition: its parts in reading order, then any others as stored."""
    ordered = {key: definition[key] for key in _PART_ORDER if key in definition}
    ordered.update((key, value) for key, value in definition.items() if key not in ordered)
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------- catalogue


def list_published_procedures() -> list[Procedure]:
    """Procedures that have a current version, by sector then name in accent-folded order."""
    procedures = db.session.scalars(select(Procedure).where(Procedure.current_version_id.is_not(None))).unique()
    return _catalogue_order(procedures)


def search_procedures(query: str) -> list[Procedure]:
    """Published procedures whose name, sector or code contain every word of the query, accents ignored.

    "thuong tru" finds "Đăng ký thường trú"; an empty query lists them all. The matching runs in SQL on the
    folded column with LIKE, which behaves the same on SQLite and PostgreSQL because both sides are folded.
    """
    words = [word.strip(".,;:!?\"'()[]") for word in fold(query).split()]
    statement = select(Procedure).where(Procedure.current_version_id.is_not(None))
    for word in words:
        if word:
            statement = statement.where(Procedure.search_text.like(f"%{_escape_like(word)}%", escape="\\"))
    return _catalogue_order(db.session.scalars(statement).unique())


def get_procedure(code: str) -> Procedure | None:
    return db.session.scalar(select(Procedure).where(Procedure.code == code))


def get_version(procedure: Procedure, number: int | None = None) -> FormVersion | None:
    """The given version of the procedure, or its current one when `number` is None."""
    if number is None:
        return procedure.current_version
    return db.session.scalar(
        select(FormVersion).where(FormVersion.procedure_id == procedure.id, FormVersion.number == number)
    )


def _escape_like(word: str) -> str:
    # a citizen typing "100%" or "a_b" means those characters, not LIKE wildcards
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _catalogue_order(procedures: Iterable[Procedure]) -> list[Procedure]:
    # sorted here rather than in SQL: byte order puts "Đ" after "Z" on both databases
    return sorted(procedures, key=lambda p: (fold(p.field), fold(p.name), p.code))
