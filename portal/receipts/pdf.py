"""The receipt PDF (Mẫu 01-style giấy tiếp nhận): data -> HTML (Jinja) -> PDF (WeasyPrint, locked down).

WeasyPrint is imported inside the functions that need it: importing it costs far more than the rest of the
app, and most processes (CLI, migrations, most requests) never render a receipt.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import jinja2

from portal.receipts.qr import qr_svg_data_uri

if TYPE_CHECKING:  # pragma: no cover - typing only; the real import is lazy
    from weasyprint.urls import URLFetcher

__all__ = [
    "FONTS_DIR",
    "RECEIPT_CSS",
    "ReceiptData",
    "ReceiptDocument",
    "ReceiptLine",
    "ReceiptNotReady",
    "ReceiptRenderError",
    "locked_down_fetcher",
    "mask_email",
    "mask_id_number",
    "mask_phone",
    "render_html_pdf",
    "render_receipt_html",
    "render_receipt_pdf",
    "render_receipt_pdf_with_timeout",
]

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = _PACKAGE_DIR.parent.parent
TEMPLATES_DIR = _REPO_DIR / "templates"
FONTS_DIR = _PACKAGE_DIR.parent / "static" / "fonts"
_RECEIPT_TEMPLATE = "receipts/receipt.html"

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

#: The bundled faces: file name -> (font-weight, font-style). The fetcher serves these files and no others.
_FONT_FACES: dict[str, tuple[int, str]] = {
    "NotoSerif-Regular.ttf": (400, "normal"),
    "NotoSerif-Bold.ttf": (700, "normal"),
    "NotoSerif-Italic.ttf": (400, "italic"),
}
#: A family name of our own, so a system-wide "Noto Serif" (another version, other coverage) never wins.
FONT_FAMILY = "Receipt Serif"
_ALLOWED_FONT_PATHS: frozenset[str] = frozenset(str(FONTS_DIR / name) for name in _FONT_FACES)


def _font_face_css() -> str:
    rules = []
    for name, (weight, style) in _FONT_FACES.items():
        # Absolute file: URIs, so the stylesheet works whatever base URL the document has.
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{(FONTS_DIR / name).as_uri()}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules) + "\n"


#: The print stylesheet of the receipt: @font-face rules for the bundled fonts, then receipt.css.
RECEIPT_CSS: str = _font_face_css() + (_PACKAGE_DIR / "receipt.css").read_text(encoding="utf-8")

# Caps that keep a hostile or enormous dossier from producing a thousand-page PDF (PD-02). A real
# e-Form answer list is a few dozen lines; the whole table stays under about twenty pages.
MAX_ANSWER_LINES = 500
MAX_VALUE_CHARS = 2_000
MAX_ANSWER_CHARS = 40_000
MAX_LABEL_CHARS = 300
MAX_FIELD_CHARS = 500
MAX_DOCUMENTS = 100
MAX_FILES_PER_DOCUMENT = 50
MAX_DEPTH = 6


class ReceiptNotReady(Exception):
    """The receipt could not be rendered in time (or too many renders are running); try again later."""


class ReceiptRenderError(Exception):
    """The renderer refused the document, e.g. it asked for a resource the fetcher does not serve."""


@dataclass(frozen=True)
class ReceiptLine:
    """One answer of the e-Form under the form's own label; a group is a small heading, `depth` indents."""

    label: str
    value: str
    depth: int = 0
    is_group: bool = False


@dataclass(frozen=True)
class ReceiptDocument:
    """One dossier component (thành phần hồ sơ) and the names of the files received for it."""

    name: str
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReceiptData:
    """Everything printed on the receipt; plain values, so it can be rendered outside a request.

    `channel == "desk"` prints the full Mẫu 01 title and a signature line for the clerk; any other channel
    (web, api) is an online submission. `submitted_at` must be aware; it is shown in Vietnam time.
    """

    agency_parent: str
    agency_name: str
    place: str
    code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_id_number: str | None
    applicant_address: str | None
    applicant_phone: str
    applicant_email: str | None
    helper_name: str | None
    helper_phone: str | None
    submitted_at: datetime
    processing_days: int
    due_text: str | None
    documents: tuple[ReceiptDocument, ...]
    answers: tuple[ReceiptLine, ...]
    lookup_url: str
    channel: str = "web"
    locale: str = "vi"


# Labels live here rather than in Flask-Babel: receipts are rendered outside requests (workers, CLI).
_LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "number": "Số",
        "title_desk": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "title_online": "GIẤY TIẾP NHẬN HỒ SƠ",
        "subtitle_online": "(Hồ sơ nộp trực tuyến)",
        "code": "Mã hồ sơ",
        "unit": "Đơn vị tiếp nhận",
        "applicant": "Tiếp nhận hồ sơ của Ông (Bà)",
        "id_number": "Số định danh cá nhân",
        "address": "Địa chỉ",
        "phone": "Số điện thoại",
        "email": "Email",
        "helper": "Người nộp hộ",
        "helper_phone": "SĐT",
        "request": "Nội dung yêu cầu giải quyết",
        "documents": "Thành phần hồ sơ nộp gồm",
        "files": "Tệp đã nhận",
        "no_documents": "(Không có thành phần hồ sơ kèm theo)",
        "copies": "Số lượng hồ sơ",
        "copies_value": "01 (bộ)",
        "processing": "Thời gian giải quyết hồ sơ theo quy định là",
        "same_day": "trong ngày",
        "working_days": "{n} ngày làm việc",
        "received_at": "Thời gian nhận hồ sơ",
        "answers": "Nội dung tờ khai",
        "answers_label": "Nội dung",
        "answers_value": "Thông tin kê khai",
        "more_lines": "… còn {n} dòng không in trên giấy tiếp nhận; nội dung đầy đủ lưu trong hồ sơ điện tử.",
        "truncated": " … (đã rút gọn)",
        "signer_applicant": "NGƯỜI NỘP HỒ SƠ",
        "signer_receiver": "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "sign_hint": "(Ký và ghi rõ họ tên)",
        "online_receiver": "(Hệ thống tiếp nhận trực tuyến)",
        "lookup": "Tra cứu hồ sơ",
        "privacy": "Số định danh, số điện thoại và email được che một phần để bảo vệ dữ liệu cá nhân.",
        "page": "Trang",
    },
    "en": {
        "nation": "SOCIALIST REPUBLIC OF VIETNAM",
        "motto": "Independence - Freedom - Happiness",
        "number": "No.",
        "title_desk": "DOSSIER RECEIPT AND APPOINTMENT FOR RESULTS",
        "title_online": "DOSSIER RECEIPT",
        "subtitle_online": "(Submitted online)",
        "code": "Dossier code",
        "unit": "Receiving unit",
        "applicant": "Dossier received from",
        "id_number": "Personal identification number",
        "address": "Address",
        "phone": "Phone number",
        "email": "Email",
        "helper": "Filed on the applicant's behalf by",
        "helper_phone": "phone",
        "request": "Request",
        "documents": "Documents submitted",
        "files": "Files received",
        "no_documents": "(No documents attached)",
        "copies": "Number of dossiers",
        "copies_value": "01 (set)",
        "processing": "Statutory processing time",
        "same_day": "same day",
        "working_days": "{n} working day(s)",
        "received_at": "Received at",
        "answers": "Form answers",
        "answers_label": "Question",
        "answers_value": "Answer",
        "more_lines": "… {n} more line(s) not printed on this receipt; the e-dossier keeps the full answers.",
        "truncated": " … (shortened)",
        "signer_applicant": "APPLICANT",
        "signer_receiver": "RECEIVED BY",
        "sign_hint": "(Signature and full name)",
        "online_receiver": "(Online intake system)",
        "lookup": "Look up this dossier",
        "privacy": "The identification number, phone number and email are partly hidden (personal data).",
        "page": "Page",
    },
}
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Bidirectional overrides could make a typed name display reversed on paper (a "Trojan Source" spoof of the
# code or a number); C0/C1 controls (NUL, form feed…) have no business in print. Newlines are kept
# (textarea answers) and tabs become spaces.
_DROPPED_CHARS = {
    **{cp: None for cp in range(0x00, 0x20) if cp not in (0x09, 0x0A)},
    0x09: " ",
    0x0D: None,
    **{cp: None for cp in range(0x7F, 0xA0)},
    **{cp: None for cp in (0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}


def _clean(text: object, limit: int, *, suffix: str = "…") -> str:
    """NFC, printable, at most `limit` characters (then `suffix` marks the cut)."""
    # Cut before normalising: a megabyte answer should not be normalised in full only to be dropped.
    raw = str(text)[: 2 * limit + 16]
    cleaned = unicodedata.normalize("NFC", raw).translate(_DROPPED_CHARS)
    if len(cleaned) > limit:
        return cleaned[: limit - 1] + suffix
    return cleaned


def _optional(text: str | None, limit: int = MAX_FIELD_CHARS) -> str | None:
    if text is None:
        return None
    cleaned = _clean(text, limit).strip()
    return cleaned or None


def mask_id_number(value: str | None) -> str | None:
    """`********1234`: only the last four characters show.

    The receipt may be printed at a kiosk and left behind, and the CCCD number is basic personal data
    (Decree 13/2023); four digits still let the applicant recognise their own slip.
    """
    if value is None:
        return None
    compact = "".join(_clean(unicodedata.normalize("NFKC", value[:64]), 64).split())
    if not compact:
        return None
    if len(compact) <= 4:
        return "*" * len(compact)
    return "*" * (len(compact) - 4) + compact[-4:]


def mask_phone(value: str | None) -> str | None:
    """`0912***678`: the first four and last three digits show; `+84` is written the national way."""
    if value is None:
        return None
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch in "0123456789")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not digits:
        return None
    if len(digits) < 8:
        return "*" * (len(digits) - 2) + digits[-2:]
    return digits[:4] + "*" * (len(digits) - 7) + digits[-3:]


def mask_email(value: str | None) -> str | None:
    """`ng***@gmail.com`: enough to recognise one's own address, not enough to harvest it from a lost slip."""
    if value is None:
        return None
    text = _clean(value, 254).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return "***" if text else None
    return f"{local[:2]}***@{domain}"


def _two_digits_vi(value: int, *, pad: bool) -> str:
    return f"{value:02d}" if pad else str(value)


def _date_vi(moment: datetime) -> str:
    # Decree 30/2020/NĐ-CP: a day below 10 and the months 1 and 2 get a leading zero (so "1" cannot later
    # become "10", "11" or "12"); other months are written as they are.
    day = _two_digits_vi(moment.day, pad=moment.day < 10)
    month = _two_digits_vi(moment.month, pad=moment.month < 3)
    return f"ngày {day} tháng {month} năm {moment.year}"


def _date_en(moment: datetime) -> str:
    return f"{moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year}"


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("submitted_at must be an aware datetime (UTC)")
    return moment.astimezone(LOCAL_TZ)


def _received_at_text(moment: datetime, lang: str) -> str:
    if lang == "en":
        return f"{moment:%H:%M}, {_date_en(moment)}"
    return f"{moment:%H} giờ {moment:%M} phút, {_date_vi(moment)}"


def _answer_rows(answers: tuple[ReceiptLine, ...], labels: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
    """The answers as table rows within the caps, and how many lines were left out."""
    rows: list[dict[str, Any]] = []
    budget = MAX_ANSWER_CHARS
    for index, line in enumerate(answers):
        if len(rows) >= MAX_ANSWER_LINES or budget <= 0:
            return rows, len(answers) - index
        label = _clean(line.label, MAX_LABEL_CHARS)
        value = _clean(line.value, MAX_VALUE_CHARS, suffix=labels["truncated"])
        budget -= len(label) + len(value)
        rows.append(
            {
                "label": label,
                "value": value,
                "depth": max(0, min(int(line.depth), MAX_DEPTH)),
                "is_group": bool(line.is_group),
            }
        )
    return rows, 0


def _link_target(url: str) -> str | None:
    """The lookup URL as a clickable link only when it is plain http(s); otherwise it is printed as text."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def _context(data: ReceiptData) -> dict[str, Any]:
    lang = "en" if data.locale == "en" else "vi"
    labels = _LABELS[lang]
    received = _local(data.submitted_at)
    online = data.channel != "desk"
    rows, omitted = _answer_rows(data.answers, labels)
    documents = [
        {
            "name": _clean(document.name, MAX_FIELD_CHARS),
            "files": [_clean(name, 255) for name in document.files[:MAX_FILES_PER_DOCUMENT]],
            "more_files": max(0, len(document.files) - MAX_FILES_PER_DOCUMENT),
        }
        for document in data.documents[:MAX_DOCUMENTS]
    ]
    days = int(data.processing_days)
    helper_name = _optional(data.helper_name)
    helper_phone = mask_phone(data.helper_phone)
    lookup_url = _clean(data.lookup_url, 2_000).strip()
    return {
        "lang": lang,
        "t": labels,
        "online": online,
        # Online submissions get the plain "giấy tiếp nhận" title: the system acknowledges receipt, and
        # the official Mẫu 01 slip with its appointment date is issued when desk staff receive the dossier.
        "title": labels["title_online"] if online else labels["title_desk"],
        "agency_parent": _clean(data.agency_parent, MAX_FIELD_CHARS),
        "agency_name": _clean(data.agency_name, MAX_FIELD_CHARS),
        "place_date": (f"{_clean(data.place, 100)}, {_date_en(received) if lang == 'en' else _date_vi(received)}"),
        "code": _clean(data.code, 64),
        "procedure_code": _clean(data.procedure_code, 64),
        "procedure_name": _clean(data.procedure_name, MAX_FIELD_CHARS),
        "applicant_name": _clean(data.applicant_name, MAX_FIELD_CHARS),
        "applicant_id_number": mask_id_number(data.applicant_id_number),
        "applicant_address": _optional(data.applicant_address),
        "applicant_phone": mask_phone(data.applicant_phone),
        "applicant_email": mask_email(data.applicant_email),
        "helper": helper_name is not None or helper_phone is not None,
        "helper_name": helper_name,
        "helper_phone": helper_phone,
        "processing": labels["same_day"] if days <= 0 else labels["working_days"].format(n=f"{days:02d}"),
        "received_at": _received_at_text(received, lang),
        "due_text": _optional(data.due_text, 1_000),
        "documents": documents,
        "more_documents": max(0, len(data.documents) - MAX_DOCUMENTS),
        "answers": rows,
        "omitted_answers": labels["more_lines"].format(n=omitted) if omitted else None,
        "lookup_url": lookup_url,
        "lookup_href": _link_target(lookup_url),
        "qr": qr_svg_data_uri(lookup_url),
    }


@functools.cache
def _jinja_env() -> jinja2.Environment:
    # Our own environment, not Flask's: the receipt renders without an app. Autoescape for every template,
    # whatever its extension, and StrictUndefined so a typo in the template fails the tests loudly.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_receipt_html(data: ReceiptData) -> str:
    """The receipt as an HTML document (citizen-typed text escaped); the input of `render_receipt_pdf`."""
    return _jinja_env().get_template(_RECEIPT_TEMPLATE).render(**_context(data))


def _bundled_font(url: str) -> Path | None:
    """The bundled font file a `file:` URL names exactly, or None."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
        return None
    path = url2pathname(parts.path)
    return Path(path) if path in _ALLOWED_FONT_PATHS else None


@functools.cache
def _fetcher_class() -> type[URLFetcher]:
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class BundledOnlyFetcher(URLFetcher):
        """Serves the bundled fonts and `data:` URIs; anything else stops the rendering (PD-01).

        WeasyPrint's default fetcher follows http(s) and file: links, so a name that reached the HTML
        unescaped could make the server request an internal address or attach /etc/passwd to the PDF.
        Refusing is fatal rather than a skipped image: the template never asks for anything else, so a
        refused URL means injected markup, and no receipt is better than a subverted one.
        """

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, fail_on_errors=True)
            #: URLs refused during this rendering. WeasyPrint swallows every exception (even BaseException)
            #: raised while drawing an SVG image, so the caller checks this list after rendering too.
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            scheme = url.partition(":")[0].lower()
            if scheme == "data":
                # urllib's DataHandler alone, not the opener chain: no proxy or other handler sees the URL.
                from urllib.request import DataHandler, Request

                response = DataHandler().data_open(Request(url))
                return URLFetcherResponse(
                    url, response.read(), {"Content-Type": response.headers.get("Content-Type", "text/plain")}
                )
            font = _bundled_font(url) if scheme == "file" else None
            if font is not None:
                return URLFetcherResponse(font.as_uri(), font.read_bytes(), {"Content-Type": "font/ttf"})
            self.refused.append(url)
            raise FatalURLFetchingError(f"receipt renderer refused to fetch {url[:120]!r}")

    return BundledOnlyFetcher


def locked_down_fetcher() -> URLFetcher:
    """A fresh fetcher for one rendering (URLFetcher keeps per-request state, so instances are not shared)."""
    return _fetcher_class()()


def render_html_pdf(html: str, *, css: str | None = None) -> bytes:
    """Any HTML to PDF through the locked-down fetcher; `css` is an extra stylesheet (e.g. RECEIPT_CSS).

    Raises ReceiptRenderError when the document asks for a resource the fetcher refuses.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    fetcher = locked_down_fetcher()
    font_config = FontConfiguration()
    try:
        # base_url=None: relative links in the document resolve to nothing rather than to the disk.
        document = HTML(string=html, base_url=None, url_fetcher=fetcher)
        stylesheets = [CSS(string=css, url_fetcher=fetcher, font_config=font_config)] if css else []
        pdf = document.write_pdf(stylesheets=stylesheets, font_config=font_config)
    except FatalURLFetchingError as error:
        # A BaseException, so WeasyPrint's `except Exception` handlers let it through (the SVG drawer, which
        # catches everything, is covered by `fetcher.refused`); callers and Flask expect an Exception.
        raise ReceiptRenderError(str(error)) from None
    if fetcher.refused:
        raise ReceiptRenderError(f"receipt renderer refused to fetch {fetcher.refused[0][:120]!r}")
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when no target is given
        raise ReceiptRenderError("WeasyPrint returned no PDF")
    return pdf


def render_receipt_pdf(data: ReceiptData) -> bytes:
    """The receipt as PDF bytes (A4, bundled Noto Serif subsets embedded)."""
    return render_html_pdf(render_receipt_html(data), css=RECEIPT_CSS)


# A thread cannot be killed, so a render that hangs keeps its slot until it ends. The cap bounds how many
# such threads one process can accumulate; past it callers get ReceiptNotReady at once instead of a queue.
MAX_RENDERS_IN_FLIGHT = 4
_render_slots = threading.BoundedSemaphore(MAX_RENDERS_IN_FLIGHT)

# Renders by their data, kept after a caller gave up waiting: the retry (Retry-After) joins the render
# already running, or collects its late result, instead of starting again. Without this a receipt that
# needs a little longer than the timeout would never be delivered. Finished, unclaimed entries are capped.
_KEEP_UNCLAIMED = 8
_flights: dict[ReceiptData, Future[bytes]] = {}
_flights_lock = threading.Lock()


def _run_in_daemon_thread(function: Callable[[], bytes]) -> Future[bytes]:
    # A daemon thread rather than a ThreadPoolExecutor: the executor's workers are joined at interpreter
    # exit, so one hung render would keep a worker process from shutting down.
    future: Future[bytes] = Future()

    def run() -> None:
        try:
            if future.set_running_or_notify_cancel():
                future.set_result(function())
        except BaseException as error:  # hand everything to the waiting caller, who decides
            future.set_exception(error)
        finally:
            _render_slots.release()

    try:
        threading.Thread(target=run, name="receipt-pdf", daemon=True).start()
    except BaseException:
        _render_slots.release()
        raise
    return future


def _flight_for(data: ReceiptData) -> Future[bytes]:
    """The render of `data` already under way (or finished and unclaimed), else a new one."""
    try:
        hash(data)
        shareable = True
    except TypeError:  # a list where a tuple belongs: render it, just without sharing
        shareable = False
    with _flights_lock:
        future = _flights.get(data) if shareable else None
        # a render that failed while nobody waited is not an answer to keep: the retry renders anew
        if future is not None and not (future.done() and future.exception() is not None):
            return future
        if not _render_slots.acquire(blocking=False):
            raise ReceiptNotReady("too many receipts are being rendered")
        future = _run_in_daemon_thread(lambda: render_receipt_pdf(data))
        if not shareable:
            return future
        _flights[data] = future
        finished = [key for key, flight in _flights.items() if flight.done()]
        for key in finished[: max(0, len(finished) - _KEEP_UNCLAIMED)]:
            del _flights[key]
        return future


def render_receipt_pdf_with_timeout(data: ReceiptData, timeout_s: float) -> bytes:
    """`render_receipt_pdf` in a worker thread; ReceiptNotReady when it takes longer than `timeout_s` (PD-02).

    A later call with equal data joins the render still running, or takes its late result. Errors from the
    renderer itself (ReceiptRenderError, ValueError for bad data) propagate unchanged.
    """
    future = _flight_for(data)
    try:
        result = future.result(timeout=timeout_s)
    except FutureTimeout:
        raise ReceiptNotReady(f"receipt not rendered within {timeout_s} s") from None
    finally:
        if future.done():
            with _flights_lock:
                for key in [key for key, flight in _flights.items() if flight is future]:
                    del _flights[key]
    return result
