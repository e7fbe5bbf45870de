"""`flask forms import PATH…` and `flask forms export DIR`: definition files in and out (interfaces.md)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.forms_engine.definition import Problem
from portal.services.procedures import (
    DefinitionRejected,
    ImportResult,
    export_definitions,
    import_definitions,
    load_definition_files,
)

forms_group = AppGroup("forms", help="Nhập và xuất tệp định nghĩa thủ tục (procedure definition files).")


def format_problem(path: str, problem: Problem) -> str:
    """`FILE: /json/pointer: message`, the pointer left out when the problem is about the whole file."""
    message = problem.message if problem.severity == "error" else f"cảnh báo (warning): {problem.message}"
    return f"{path}: {problem.pointer}: {message}" if problem.pointer else f"{path}: {message}"


def format_result(result: ImportResult) -> str:
    """`1.001193 Đăng ký khai sinh: created` / `…: new version 2` / `…: unchanged`."""
    status = f"new version {result.version}" if result.status == "new version" else result.status
    return f"{result.code} {result.name}: {status}"


@forms_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def import_command(paths: tuple[str, ...]) -> None:
    """Import definition files or folders of them; all or nothing."""
    files = load_definition_files(list(paths))
    error_count = 0
    for file in files:
        for problem in file.problems:
            click.echo(format_problem(file.path, problem), err=True)
            error_count += problem.severity == "error"
    if error_count:
        click.echo(f"Không nhập gì: {error_count} lỗi (nothing imported: {error_count} error(s)).", err=True)
        raise click.exceptions.Exit(1)
    try:
        results = import_definitions(files)
        db.session.commit()
    except DefinitionRejected as exc:  # pragma: no cover - the files were checked just above
        db.session.rollback()
        click.echo(f"Không nhập gì ({exc}).", err=True)
        raise click.exceptions.Exit(1) from exc
    except SQLAlchemyError as exc:
        # e.g. another import published the same version number a moment earlier
        db.session.rollback()
        click.echo(
            f"Không ghi được vào cơ sở dữ liệu; không nhập gì (database error: {exc.__class__.__name__}).",
            err=True,
        )
        raise click.exceptions.Exit(1) from exc
    for result in results:
        click.echo(format_result(result))


@forms_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False))
def export_command(directory: str) -> None:
    """Write every published procedure's current version as DIRECTORY/<code>.json."""
    for path in export_definitions(directory):
        click.echo(str(path))
