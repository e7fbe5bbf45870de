"""`flask forms import` / `flask forms export` end to end, and the catalogue search they feed."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import FormVersion, Procedure
from portal.services import procedures as procedure_service
from portal.services.procedures import DefinitionRejected, import_definitions, load_definition_files

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms_schemas"
CODES = ["1.001193", "1.004222", "2.000815"]


def run(runner, *args: str):
    return runner.invoke(args=["forms", *map(str, args)])


def copy_forms(target: Path) -> Path:
    target.mkdir()
    for path in FORMS_DIR.glob("*.json"):
        shutil.copy(path, target / path.name)
    return target


def edit(path: Path, change) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_creates_each_procedure_then_reports_it_unchanged(app, runner) -> None:
    first = run(runner, "import", FORMS_DIR)
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "1.001193 Đăng ký khai sinh: created",
        "1.004222 Đăng ký thường trú: created",
        "2.000815 Chứng thực bản sao từ bản chính: created",
    ]
    assert first.stderr == ""

    again = run(runner, "import", FORMS_DIR)
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == [
        "1.001193 Đăng ký khai sinh: unchanged",
        "1.004222 Đăng ký thường trú: unchanged",
        "2.000815 Chứng thực bản sao từ bản chính: unchanged",
    ]
    with app.app_context():
        assert count(Procedure) == 3
        assert count(FormVersion) == 3
        birth = procedure_service.get_procedure("1.001193")
        assert birth is not None and birth.current_version is not None
        assert birth.current_version.number == 1
        assert birth.field == "Hộ tịch"
        assert birth.search_text == "dang ky khai sinh ho tich 1.001193"


def test_changed_file_adds_version_two_and_keeps_version_one(app, runner, tmp_path) -> None:
    forms = copy_forms(tmp_path / "forms")
    birth_file = forms / "1.001193.json"
    original = json.loads(birth_file.read_text(encoding="utf-8"))
    assert run(runner, "import", forms).exit_code == 0

    def raise_the_fee(document: dict[str, Any]) -> None:
        document["procedure"]["name"] = "Đăng ký khai sinh (đúng hạn)"
        document["procedure"]["fee"] = {"amount": 8000, "currency": "VND", "note": "Lệ phí mới"}

    edit(birth_file, raise_the_fee)
    result = run(runner, "import", forms)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "1.001193 Đăng ký khai sinh (đúng hạn): new version 2",
        "1.004222 Đăng ký thường trú: unchanged",
        "2.000815 Chứng thực bản sao từ bản chính: unchanged",
    ]
    with app.app_context():
        birth = procedure_service.get_procedure("1.001193")
        assert birth is not None
        assert [v.number for v in birth.versions] == [1, 2]
        assert birth.current_version is not None and birth.current_version.number == 2
        assert birth.name == "Đăng ký khai sinh (đúng hạn)"
        first = procedure_service.get_version(birth, 1)
        assert first is not None and first.definition == original
        assert first.meta["fee"]["amount"] == 0
        assert procedure_service.get_version(birth) is birth.current_version
        assert procedure_service.get_version(birth, 3) is None

    # putting the old file back is a change too: version 3, equal in content to version 1
    birth_file.write_text(json.dumps(original, ensure_ascii=False), encoding="utf-8")
    assert run(runner, "import", birth_file).stdout == "1.001193 Đăng ký khai sinh: new version 3\n"


def test_reformatted_file_is_unchanged(runner, tmp_path) -> None:
    forms = copy_forms(tmp_path / "forms")
    assert run(runner, "import", forms).exit_code == 0
    path = forms / "2.000815.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(document, ensure_ascii=True, sort_keys=True), encoding="utf-8")
    assert run(runner, "import", path).stdout == "2.000815 Chứng thực bản sao từ bản chính: unchanged\n"


def test_export_reimports_unchanged_and_exports_byte_identical_files(runner, tmp_path) -> None:
    assert run(runner, "import", FORMS_DIR).exit_code == 0
    first_dir, second_dir = tmp_path / "export-1", tmp_path / "export-2"

    exported = run(runner, "export", first_dir)
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.splitlines() == [str(first_dir / f"{code}.json") for code in CODES]
    text = (first_dir / "1.001193.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "Đăng ký khai sinh" in text and text.startswith('{\n  "procedure"')

    reimported = run(runner, "import", first_dir)
    assert reimported.exit_code == 0, reimported.output
    assert all(line.endswith(": unchanged") for line in reimported.stdout.splitlines())
    assert len(reimported.stdout.splitlines()) == 3

    assert run(runner, "export", second_dir).exit_code == 0
    for code in CODES:
        assert (first_dir / f"{code}.json").read_bytes() == (second_dir / f"{code}.json").read_bytes()


def test_one_bad_file_imports_nothing_and_names_file_and_pointer(app, runner, tmp_path) -> None:
    good = tmp_path / "1.001193.json"
    shutil.copy(FORMS_DIR / "1.001193.json", good)
    bad = tmp_path / "1.004222.json"
    shutil.copy(FORMS_DIR / "1.004222.json", bad)
    edit(bad, lambda d: d["schema"]["properties"]["phone"].update({"$ref": "http://169.254.169.254/latest"}))

    result = run(runner, "import", good, bad)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{bad}: /schema/properties/phone/$ref: Tham chiếu" in result.stderr
    assert "Không nhập gì" in result.stderr
    with app.app_context():
        assert count(Procedure) == 0
        assert count(FormVersion) == 0


def test_every_problem_is_listed_one_per_line(runner, tmp_path) -> None:
    bad = tmp_path / "2.000815.json"
    shutil.copy(FORMS_DIR / "2.000815.json", bad)

    def break_three_times(document: dict[str, Any]) -> None:
        document["procedure"]["processing_days"] = "0"
        document["uiSchema"]["copies"]["ui:widget"] = "spinner"
        # inside an alternative (the original issued abroad) as well
        document["schema"]["properties"]["origin"]["oneOf"][1]["properties"]["issuing_country"]["pattern"] = "(?<=x)"

    edit(bad, break_three_times)
    result = run(runner, "import", bad)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{bad}: /procedure/processing_days: ") for line in lines)
    assert any(line.startswith(f"{bad}: /uiSchema/copies/ui:widget: ") for line in lines)
    where = "/schema/properties/origin/oneOf/1/properties/issuing_country/pattern"
    assert any(line.startswith(f"{bad}: {where}: ") for line in lines), lines


def test_json_syntax_error_names_line_and_column(runner, tmp_path) -> None:
    broken = tmp_path / "1.001193.json"
    broken.write_text('{\n  "procedure": {"code": "1.001193",}\n}\n', encoding="utf-8")
    result = run(runner, "import", broken)
    assert result.exit_code == 1
    assert f"{broken}: JSON không hợp lệ ở dòng 2, cột 36" in result.stderr


def test_same_code_in_two_files_is_refused(app, runner, tmp_path) -> None:
    shutil.copy(FORMS_DIR / "1.001193.json", tmp_path / "1.001193.json")
    shutil.copy(FORMS_DIR / "1.001193.json", tmp_path / "khai-sinh-ban-sao.json")
    result = run(runner, "import", tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path / 'khai-sinh-ban-sao.json'}: /procedure/code: Mã thủ tục “1.001193” đã có" in result.stderr
    with app.app_context():
        assert count(Procedure) == 0


def test_repeated_json_key_is_an_error(runner, tmp_path) -> None:
    path = tmp_path / "2.000815.json"
    text = (FORMS_DIR / "2.000815.json").read_text(encoding="utf-8")
    path.write_text(text.replace('"level": "partial",', '"level": "partial", "level": "full",'), encoding="utf-8")
    result = run(runner, "import", path)
    assert result.exit_code == 1
    assert f"{path}: Khóa “level” xuất hiện hai lần" in result.stderr


def test_byte_order_mark_from_windows_editors_is_accepted(runner, tmp_path) -> None:
    path = tmp_path / "2.000815.json"
    path.write_bytes(b"\xef\xbb\xbf" + (FORMS_DIR / "2.000815.json").read_bytes())
    result = run(runner, "import", path)
    assert result.exit_code == 0, result.output


def test_missing_path_is_an_error(runner, tmp_path) -> None:
    result = run(runner, "import", tmp_path / "nope.json")
    assert result.exit_code == 1
    assert "Không tìm thấy" in result.stderr


def test_warnings_are_printed_but_do_not_block(app, runner, tmp_path) -> None:
    path = tmp_path / "2.000815.json"
    shutil.copy(FORMS_DIR / "2.000815.json", path)
    edit(path, lambda d: d["uiSchema"]["copies"].update({"ui:classNames": "narrow"}))
    result = run(runner, "import", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "2.000815 Chứng thực bản sao từ bản chính: created\n"
    assert f"{path}: /uiSchema/copies/ui:classNames: cảnh báo (warning): " in result.stderr


def test_service_refuses_files_with_errors_without_touching_the_session(app, tmp_path) -> None:
    bad = tmp_path / "2.000815.json"
    shutil.copy(FORMS_DIR / "2.000815.json", bad)
    edit(bad, lambda d: d["schema"]["properties"]["document_name"].update({"pattern": "(?<=x)"}))
    with app.app_context():
        files = load_definition_files([str(FORMS_DIR / "1.001193.json"), str(bad)])
        with pytest.raises(DefinitionRejected) as refused:
            import_definitions(files)
        assert [file.path for file in refused.value.files] == [str(bad)]
        assert not db.session.new


@pytest.fixture
def catalogue(app, runner):
    assert run(runner, "import", FORMS_DIR).exit_code == 0
    with app.app_context():
        yield


def codes(procedures: list[Procedure]) -> list[str]:
    return [procedure.code for procedure in procedures]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("thuong tru", ["1.004222"]),
        ("THƯỜNG TRÚ", ["1.004222"]),
        ("dang ky", ["1.004222", "1.001193"]),
        ("Đăng ký khai", ["1.001193"]),
        ("ho tich", ["1.001193"]),
        ("ban sao", ["2.000815"]),
        ("2.000815", ["2.000815"]),
        ("khai sinh thuong tru", []),
        ("%", []),
        ("_", []),
        ("", ["2.000815", "1.004222", "1.001193"]),
    ],
)
def test_search_ignores_accents_and_needs_every_word(query: str, expected: list[str]) -> None:
    assert codes(procedure_service.search_procedures(query)) == expected


@pytest.mark.usefixtures("catalogue")
def test_search_accepts_text_typed_in_nfd() -> None:
    assert codes(procedure_service.search_procedures(unicodedata.normalize("NFD", "thường trú"))) == ["1.004222"]


@pytest.mark.usefixtures("catalogue")
def test_published_list_is_ordered_by_sector_then_name_ignoring_accents() -> None:
    # Chứng thực < Đăng ký, quản lý cư trú < Hộ tịch: "Đ" sorts as "d", not after "Z"
    assert codes(procedure_service.list_published_procedures()) == ["2.000815", "1.004222", "1.001193"]
    assert procedure_service.get_procedure("9.999999") is None
