"""Filing an e-Form: the form page (with uploads), check your answers, the final submit, the confirmation."""

from __future__ import annotations

import dataclasses
import logging
import secrets

from flask import abort, current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from wtforms.validators import ValidationError

from portal.blueprints.citizen import bp
from portal.database import begin_write
from portal.extensions import csrf, db
from portal.i18n import current_locale
from portal.models import Channel, Dossier, Draft, FormVersion, Procedure
from portal.services import dossiers as dossier_service
from portal.services.drafts import format_code, issue_and_send_code, refresh_expiry
from portal.services.forms import applicant_spec, spec_for
from portal.services.notifications import deliver_quietly
from portal.services.procedures import get_procedure
from portal.services.uploads import UploadRejected, delete_attachment, store_upload

MAX_DRAFTS_IN_SESSION = 8
log = logging.getLogger("portal.filing")


def _remember_draft(token: str) -> None:
    tokens = [t for t in session.get("drafts", []) if t != token]
    session["drafts"] = [*tokens, token][-MAX_DRAFTS_IN_SESSION:]


def _remember_code(token: str, code: str) -> None:
    """The plain code stays only in the session of the browser that holds the draft anyway (ADR 0004)."""
    live = set(session.get("drafts", []))
    codes = {t: c for t, c in (session.get("resume_codes") or {}).items() if t in live}
    codes[token] = code
    session["resume_codes"] = codes


def resume_code_for(token: str) -> str | None:
    return (session.get("resume_codes") or {}).get(token)


def _resume_url() -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if base:
        return base.rstrip("/") + url_for("citizen.resume")
    return url_for("citizen.resume", _external=True)


def _after_save(draft: Draft) -> list[int]:
    """Every save: push the expiry back; the first save with a mobile number: issue the code, queue its SMS."""
    refresh_expiry(draft, lifetime_days=current_app.config["DRAFT_LIFETIME_DAYS"])
    code, notification = issue_and_send_code(draft, secret=current_app.config["SECRET_KEY"], resume_url=_resume_url())
    if code is not None:
        _remember_code(draft.token, format_code(code))
    return [notification.id] if notification is not None else []


def _commit(outbox: list[int]) -> None:
    db.session.commit()
    deliver_quietly(outbox)


def _draft_from_session(token: str) -> Draft:
    if token not in session.get("drafts", []):
        abort(404)
    draft = db.session.scalar(select(Draft).where(Draft.token == token))
    if draft is None:
        abort(404)
    return draft


def _published(code: str) -> tuple[Procedure, FormVersion]:
    proc = get_procedure(code)
    if proc is None or proc.current_version is None:
        abort(404)
    return proc, proc.current_version


def _draft_problems(draft: Draft, locale: str) -> list[dossier_service.Problem]:
    """Everything wrong with a whole draft, as the final submit will judge it."""
    return dossier_service.check_submission(
        version=draft.form_version,
        applicant=draft.applicant,
        data=draft.data,
        file_counts=_file_counts(draft),
        locale=locale,
    )


def resume_url(draft: Draft, locale: str) -> str:
    """Where a resumed draft continues: the first step still missing something, or the check page when
    nothing is (a one-page form: the form)."""
    code = draft.procedure.code
    data_spec = spec_for(draft.form_version, locale)
    if not data_spec.multi_page:
        return url_for("citizen.start_form", code=code, **{"ho-so-tam": draft.token})
    problems = _draft_problems(draft, locale)
    if not problems:
        return url_for("citizen.check_answers", token=draft.token)
    return _step_url(code, draft.token, min(_step_of_problem(data_spec, p.pointer) for p in problems))


def _file_counts(draft: Draft | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for attachment in draft.attachments if draft else []:
        counts[attachment.document_key] = counts.get(attachment.document_key, 0) + 1
    return counts


def _render_form(
    *,
    procedure,
    version,
    draft_token,
    applicant_form,
    data_form,
    on_behalf,
    draft,
    problems=(),
    notices=(),
    status=200,
    step=None,
):
    summary = [(p.field_id or "", p.message) for p in problems]
    document_errors = {
        p.pointer.lstrip("/"): p.message for p in problems if not p.pointer.startswith(("/data", "/applicant"))
    }
    html = render_template(
        "citizen/form.html",
        procedure=procedure,
        version=version,
        meta=version.meta,
        draft_token=draft_token,
        applicant_form=applicant_form,
        data_form=data_form,
        on_behalf=on_behalf,
        attachments=list(draft.attachments) if draft else [],
        document_errors=document_errors,
        summary=summary,
        notices=notices,
        submit_text=spec_for(version, current_locale()).submit_text,
        resume_code=resume_code_for(draft.token) if draft else None,
        draft_expires_at=draft.expires_at if draft else None,
        step=step,
        steps=_step_titles(spec_for(version, current_locale())),
    )
    return html, status


# -- steps: a form with `ui:pages` is filled one page per request ------------------------------------------------
# Step 1 is the applicant ("Người yêu cầu"), then one step per page; the uploads go with the last page.
# A post without `buoc` in its address is the whole form at once, as a page rendered before steps existed.


def _step_titles(spec) -> list[str]:
    if not spec.multi_page:
        return []
    return [_("Người yêu cầu"), *(page.title or _("Tờ khai") for page in spec.pages)]


def _requested_step(spec) -> int | None:
    """The step in the address (1-based, clamped), None for a one-page form or a whole-form post."""
    if not spec.multi_page:
        return None
    raw = request.args.get("buoc", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
        return None if request.method == "POST" else 1
    return min(max(int(raw), 1), len(spec.pages) + 1)


def _page_of_step(step: int | None) -> int | None:
    return None if step is None or step < 2 else step - 2


def _step_url(code: str, token: str, step: int, errors: bool = False) -> str:
    extra = {"loi": "1"} if errors else {}
    return url_for("citizen.start_form", code=code, buoc=step, **{"ho-so-tam": token}, **extra)


def _step_of_problem(spec, pointer: str) -> int:
    if pointer == "/applicant" or pointer.startswith("/applicant/"):
        return 1
    if pointer == "/data" or pointer.startswith("/data/"):
        return spec.page_of(pointer[len("/data") :]) + 2
    return len(spec.pages) + 1  # documents go with the last page


@bp.get("/thu-tuc/<code>/nop-ho-so")
def start_form(code: str):
    procedure, version = _published(code)
    locale = current_locale()
    draft = None
    token = request.args.get("ho-so-tam")
    if token:
        draft = _draft_from_session(token)
        version = draft.form_version
    data_spec = spec_for(version, locale)
    step = _requested_step(data_spec)
    if step is not None and step > 1 and draft is None:
        return redirect(url_for("citizen.start_form", code=code), code=303)
    applicant = dict(draft.applicant) if draft else {}
    applicant_form = applicant_spec(locale).form(data=applicant, prefix="applicant")
    data_form = data_spec.form(data=dict(draft.data) if draft else None, prefix="data", page=_page_of_step(step))
    problems: list[dossier_service.Problem] = []
    if step is not None and draft is not None and request.args.get("loi") == "1":
        # sent back from the check page: say at once what this step still needs
        problems = [
            p
            for p in dossier_service.check_submission(
                version=version,
                applicant=draft.applicant,
                data=draft.data,
                file_counts=_file_counts(draft),
                locale=locale,
            )
            if _step_of_problem(data_spec, p.pointer) == step
        ]
        problems = _place(problems, applicant_form, data_form, data_spec, locale)
    return _render_form(
        procedure=procedure,
        version=version,
        draft_token=draft.token if draft else secrets.token_urlsafe(24),
        applicant_form=applicant_form,
        data_form=data_form,
        on_behalf=bool(applicant.get("filed_by")),
        draft=draft,
        step=step,
        problems=problems,
    )


@bp.post("/thu-tuc/<code>/nop-ho-so")
@csrf.exempt  # checked below, so that an expired session re-renders the page with everything typed
def post_form(code: str):
    try:
        begin_write(db.session)
    except OperationalError:
        # another writer held the lock too long: answer at once with the page as typed, nothing lost
        db.session.rollback()
        return _busy_form(code)
    procedure, version = _published(code)
    locale = current_locale()
    token = (request.form.get("draft") or "")[:64]
    if len(token) < 20:
        abort(400)
    draft = db.session.scalar(select(Draft).where(Draft.token == token))
    if draft is not None and draft.procedure_id != procedure.id:
        abort(400)
    if draft is not None:
        version = draft.form_version
    data_spec = spec_for(version, locale)
    step = _requested_step(data_spec)
    stored_applicant = dict(draft.applicant) if draft else None
    stored_data = dict(draft.data) if draft else (data_spec.defaults() if step is not None else None)
    if step is None or step == 1:
        applicant_form = applicant_spec(locale).form(formdata=request.form, prefix="applicant", data=stored_applicant)
        on_behalf = request.form.get("on_behalf") == "yes"
    else:
        # a later step posts only its own page: the applicant stays as saved
        applicant_form = applicant_spec(locale).form(prefix="applicant", data=stored_applicant or {})
        on_behalf = bool((stored_applicant or {}).get("filed_by"))
    if step == 1:
        data_form = data_spec.form(prefix="data", data=stored_data, page=0)
    else:
        data_form = data_spec.form(formdata=request.form, prefix="data", data=stored_data, page=_page_of_step(step))
    render = dict(
        procedure=procedure,
        version=version,
        draft_token=token,
        applicant_form=applicant_form,
        data_form=data_form,
        on_behalf=on_behalf,
        step=step,
    )

    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        # nothing is saved from an unauthenticated post, but nothing typed is thrown away either; the page must not
        # claim a saved draft (draft=None), or the browser would drop its own copy of what was typed
        return _render_form(
            **render,
            draft=None,
            status=400,
            notices=[_("Phiên làm việc đã hết hạn. Thông tin bạn nhập vẫn còn; hãy bấm “Tiếp tục” một lần nữa.")],
        )

    if step is None or step == 1:
        applicant = applicant_spec(locale).to_json(applicant_form)
        if not on_behalf:
            applicant.pop("filed_by", None)
        applicant = dossier_service.normalise_applicant(applicant)
    else:
        applicant = stored_applicant or {}
    data = stored_data if step == 1 else data_spec.to_json(data_form)

    if draft is None:
        draft = Draft(token=token, procedure_id=procedure.id, form_version_id=version.id)
        db.session.add(draft)
    draft.applicant = applicant
    draft.data = data
    db.session.flush()
    _remember_draft(token)
    outbox = _after_save(draft)

    notices: list[str] = []
    upload_problems = _take_uploads(version, draft, locale)
    action = request.form.get("_action") or ""
    if action.startswith("remove-file:"):
        uid = action.split(":", 1)[1]
        for attachment in list(draft.attachments):
            if attachment.uid == uid:
                delete_attachment(attachment, current_app.config["UPLOAD_DIR"])
        _commit(outbox)
        return _render_form(**render, draft=draft, problems=upload_problems)
    if action == "update" or action.startswith(("add:", "remove:")):
        _commit(outbox)
        return _render_form(**render, draft=draft, problems=upload_problems)
    if action == "back" and step is not None:
        # nothing is checked on the way back, and everything typed on this step is kept
        _commit(outbox)
        return redirect(_step_url(code, token, max(step - 1, 1)), code=303)

    problems = dossier_service.check_submission(
        version=version, applicant=applicant, data=data, file_counts=_file_counts(draft), locale=locale
    )
    # rows of free-form keys the JSON cannot hold (no name, a name used twice): only the form knows them
    problems += [
        dossier_service.Problem("/data" + e.pointer, e.keyword, e.message, e.field_id)
        for e in data_spec.form_errors(data_form)
    ]
    if on_behalf and not applicant.get("filed_by"):
        problems.append(
            dossier_service.Problem(
                "/applicant/filed_by/full_name",
                "required",
                _("Nhập họ tên người nộp hộ, hoặc chọn “Cho chính tôi”"),
                "applicant-filed_by-full_name",
            )
        )
    problems = upload_problems + [p for p in problems if not any(u.pointer == p.pointer for u in upload_problems)]
    if step is not None:
        # "Tiếp tục" checks this step only; the check page checks them all
        problems = [p for p in problems if _step_of_problem(data_spec, p.pointer) == step]
    _commit(outbox)
    if problems:
        problems = _place(problems, applicant_form, data_form, data_spec, locale)
        return _render_form(**render, draft=draft, problems=problems, notices=notices, status=200)
    if step is not None and step <= len(data_spec.pages):
        return redirect(_step_url(code, token, step + 1), code=303)
    return redirect(url_for("citizen.check_answers", token=token), code=303)


def _busy_form(code: str):
    procedure, version = _published(code)
    locale = current_locale()
    data_spec = spec_for(version, locale)
    step = _requested_step(data_spec)
    response = make_response(
        *_render_form(
            procedure=procedure,
            version=version,
            draft_token=(request.form.get("draft") or "")[:64],
            applicant_form=applicant_spec(locale).form(formdata=request.form, prefix="applicant"),
            data_form=data_spec.form(formdata=request.form, prefix="data", page=_page_of_step(step)),
            on_behalf=request.form.get("on_behalf") == "yes",
            draft=None,
            step=step,
            status=503,
            notices=[
                _(
                    "Hệ thống đang bận nên chưa lưu được. Thông tin bạn nhập vẫn còn trên trang này; "
                    "hãy bấm “Tiếp tục” lại sau ít giây."
                )
            ],
        )
    )
    response.headers["Retry-After"] = "5"
    return response


def _place(problems, applicant_form, data_form, data_spec, locale: str) -> list[dossier_service.Problem]:
    """Put each problem beside its field; what the summary lists, in page order, is what the fields show.

    The form knows more than the data: where the citizen picked an alternative and filled nothing of it yet,
    validation alone speaks of the first one; `attach_errors` swaps in the problems of the one picked."""
    placed = []
    for prefix, spec, form in (("/applicant", applicant_spec(locale), applicant_form), ("/data", data_spec, data_form)):
        placed += [
            dossier_service.Problem(prefix + e.pointer, e.keyword, e.message, e.field_id)
            for e in spec.attach_errors(form, _errors_under(problems, prefix))
        ]
    rest = [p for p in problems if not p.pointer.startswith(("/applicant", "/data"))]
    return placed + rest


def _errors_under(problems: list[dossier_service.Problem], prefix: str) -> list[dossier_service.Problem]:
    """The problems of one part of the page, with pointers relative to that part's data."""
    return [
        dataclasses.replace(p, pointer=p.pointer[len(prefix) :])
        for p in problems
        if p.pointer == prefix or p.pointer.startswith(prefix + "/")
    ]


def _take_uploads(version: FormVersion, draft: Draft, locale: str) -> list[dossier_service.Problem]:
    problems = []
    upload_dir = current_app.config["UPLOAD_DIR"]
    limit = current_app.config["MAX_FILES_PER_DOSSIER"]
    for doc in version.documents:
        for storage in request.files.getlist(f"file-{doc['key']}"):
            if not storage or not storage.filename:
                continue
            try:
                # a single-file document is replaced only once the new file has passed its checks
                store_upload(file_storage=storage, document=doc, draft=draft, upload_dir=upload_dir, max_files=limit)
            except UploadRejected as rejected:
                problems.append(
                    dossier_service.Problem(
                        f"/{doc['key']}", rejected.code, rejected.message(locale), f"file-{doc['key']}"
                    )
                )
    db.session.flush()
    db.session.refresh(draft)
    return problems


@bp.get("/ho-so-tam/<token>/kiem-tra")
def check_answers(token: str):
    draft = _draft_from_session(token)
    if draft.dossier_id:
        dossier = db.session.get(Dossier, draft.dossier_id)
        return redirect(url_for("citizen.confirmation", receipt=dossier.receipt_token), code=303)
    locale = current_locale()
    version = draft.form_version
    data_spec = spec_for(version, locale)
    sections = []
    if data_spec.multi_page:
        problems = _draft_problems(draft, locale)
        if problems:
            # a step skipped (by address) or left unfinished: back to the first one with something missing
            first = min(_step_of_problem(data_spec, p.pointer) for p in problems)
            return redirect(_step_url(draft.procedure.code, token, first, errors=True), code=303)
        sections = [
            (page.title, data_spec.answers(draft.data, page=i), i + 2) for i, page in enumerate(data_spec.pages)
        ]
    return render_template(
        "citizen/check.html",
        sections=sections,
        steps=_step_titles(data_spec),
        draft=draft,
        procedure=draft.procedure,
        meta=version.meta,
        applicant_answers=applicant_spec(locale).answers(draft.applicant),
        data_answers=spec_for(version, locale).answers(draft.data),
        documents=version.documents,
        attachments=list(draft.attachments),
        submit_text=spec_for(version, locale).submit_text,
        csrf_token=generate_csrf(),
        resume_code=resume_code_for(draft.token),
    )


@bp.post("/ho-so-tam/<token>/kiem-tra")
def confirm(token: str):
    begin_write(db.session)
    draft = _draft_from_session(token)
    # lock the draft row: a double tap or a retry waits here and then finds the dossier the first one filed
    db.session.execute(select(Draft.id).where(Draft.id == draft.id).with_for_update())
    db.session.refresh(draft)
    if draft.dossier_id:
        return _to_confirmation(db.session.get(Dossier, draft.dossier_id))
    locale = current_locale()
    version = draft.form_version
    problems = _draft_problems(draft, locale)
    if problems:
        # the version's rules did not change, so this only happens after tampering or a lost upload
        return redirect(url_for("citizen.start_form", code=draft.procedure.code, **{"ho-so-tam": token}), code=303)
    key = f"web:{token}"
    try:
        dossier = dossier_service.file_dossier(
            version=version,
            applicant=draft.applicant,
            data=draft.data,
            channel=Channel.WEB,
            agency_id=current_app.config["AGENCY_ID"],
            submission_key=key,
            attachments=list(draft.attachments),
        )
        draft.dossier_id = dossier.id
        db.session.commit()
        log.info(
            "dossier filed",
            extra={"event": "dossier_filed", "dossier": dossier.code, "procedure": version.meta["code"]},
        )
    except IntegrityError:
        db.session.rollback()
        dossier = dossier_service.dossier_by_submission_key(key)
        if dossier is None:
            raise
    return _to_confirmation(dossier)


def _to_confirmation(dossier: Dossier):
    return redirect(url_for("citizen.confirmation", receipt=dossier.receipt_token), code=303)


@bp.get("/ho-so/<receipt>")
def confirmation(receipt: str):
    dossier = dossier_service.dossier_by_receipt_token(receipt)
    if dossier is None:
        abort(404)
    from portal.services.calendar import desk_check_by

    return render_template(
        "citizen/confirmation.html",
        dossier=dossier,
        meta=dossier.form_version.meta,
        check_by=desk_check_by(dossier.submitted_at),
    )


@bp.get("/ho-so/<receipt>/bien-nhan.pdf")
def receipt_pdf(receipt: str):
    from portal.receipts.pdf import ReceiptNotReady
    from portal.services.receipts import receipt_pdf as build

    dossier = dossier_service.dossier_by_receipt_token(receipt)
    if dossier is None:
        abort(404)
    try:
        pdf = build(dossier, current_locale())
    except Exception as error:
        if not isinstance(error, ReceiptNotReady):
            log.exception("receipt render failed for %s", dossier.code)
        response = make_response(render_template("citizen/receipt_pending.html", dossier=dossier), 503)
        response.headers["Retry-After"] = "10"
        return response
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="bien-nhan-{dossier.code}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
