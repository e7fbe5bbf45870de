"""PDFs opened with pikepdf and cleared of anything that runs, launches, submits or carries files (UP-05).

Decision: strip, not reject. Citizens cannot edit a PDF that some office software filled with form scripts,
and refusing it would send them to the desk; the clerk only needs the pages. A PDF with nothing to strip is
kept byte for byte, so digital signatures (chữ ký số) on clean files stay valid.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
import pikepdf.settings

from portal.uploads import errors

#: the most one stream may inflate to while a PDF is parsed. Object streams in real files are kilobytes;
#: a crafted one inflating 1000:1 made a 500 KB upload take 550 MB of memory, so 10 MB would kill a worker.
MAX_DECODED_STREAM = 64 * 1024 * 1024
_DECODER_LIMITS = ("flate_max_memory", "run_length_max_memory", "png_max_memory")

# keys that hold scripts, automatic actions, attached files or XFA forms, wherever they appear
_REMOVED_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",  # the document-level script name tree, under /Names
        "/OpenAction",
        "/AA",  # additional actions: on page open/close, on field focus, on document save/print…
        "/EmbeddedFiles",
        "/EF",  # the embedded-file streams of a file specification
        "/RichMediaContent",
        "/XFA",
        "/Collection",  # portfolio view; meaningless once the embedded files are gone
    }
)
# action types that run code, start programs, send data somewhere, or open other documents and media
_DANGEROUS_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/RichMediaExecute",
    }
)
_SAFE_URI_SCHEMES = ("http:", "https:", "mailto:", "tel:")
# annotation types that exist to play media or carry files; removed from the pages altogether
_REMOVED_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})
# a complete PDF ends with %%EOF; readers look for it in the last 1024 bytes, and a file cut short
# on a weak connection or a full phone lacks it
_EOF_WINDOW = 1024


def _limit_qpdf_decoders() -> None:
    """Cap qpdf's stream decoders, unless the application already set something stricter.

    The limits are process-wide in qpdf and meant to be set once at start-up, hence at import. Nothing else
    in the portal needs to inflate a bigger stream with pikepdf: saving copies streams without decoding.
    """
    current = pikepdf.settings.get_qpdf_limits()
    tighter = {
        name: MAX_DECODED_STREAM for name in _DECODER_LIMITS if current[name] == 0 or current[name] > MAX_DECODED_STREAM
    }
    if tighter:
        pikepdf.settings.set_qpdf_limits(**tighter)


_limit_qpdf_decoders()


@dataclass(frozen=True)
class CleanedPdf:
    content: bytes
    #: what was taken out, e.g. ("/OpenAction", "action /Launch"); empty when the original bytes are kept
    removed: tuple[str, ...]


def _is_dangerous_action(value: pikepdf.Object) -> str | None:
    """The reason an action (or array of chained actions) must go, or None when it is harmless."""
    if isinstance(value, pikepdf.Array):
        for item in value:
            reason = _is_dangerous_action(item)
            if reason:
                return reason
        return None
    if not isinstance(value, pikepdf.Dictionary):
        return None
    kind = str(value.get("/S", ""))
    if kind in _DANGEROUS_ACTIONS:
        return f"action {kind}"
    if kind == "/URI":
        uri = str(value.get("/URI", "")).strip().lower()
        if not uri.startswith(_SAFE_URI_SCHEMES):
            return "action /URI"
    return None


def _clean_object(root: pikepdf.Object, removed: set[str]) -> None:
    """Strip an indirect object and the direct objects inside it; indirect children get their own visit."""
    stack = [root]
    while stack:
        current = stack.pop()
        if isinstance(current, pikepdf.Stream):
            current = current.stream_dict
        if isinstance(current, pikepdf.Dictionary):
            for key in list(current.keys()):
                if key in _REMOVED_KEYS:
                    del current[key]
                    removed.add(key)
                    continue
                value = current[key]
                if key in ("/A", "/Next", "/PA"):
                    reason = _is_dangerous_action(value)
                    if reason:
                        del current[key]
                        removed.add(reason)
                        continue
                if isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect:
                    stack.append(value)
        elif isinstance(current, pikepdf.Array):
            stack.extend(
                item
                for item in current
                if isinstance(item, (pikepdf.Dictionary, pikepdf.Array)) and not item.is_indirect
            )


def _clean_annotations(pdf: pikepdf.Pdf, removed: set[str]) -> None:
    for page in pdf.pages:
        annotations = page.obj.get("/Annots")
        if not isinstance(annotations, pikepdf.Array):
            continue
        kept = []
        for annotation in annotations:
            is_dict = isinstance(annotation, pikepdf.Dictionary)
            subtype = str(annotation.get("/Subtype", "")) if is_dict else ""
            if subtype in _REMOVED_ANNOTATIONS:
                removed.add(f"annotation {subtype}")
            else:
                kept.append(annotation)
        if len(kept) != len(annotations):
            page.obj["/Annots"] = pikepdf.Array(kept)


def clean_pdf(content: bytes, *, name: str) -> CleanedPdf:
    """The PDF with active content removed, or UploadRejected (corrupt, pdf_encrypted)."""
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-_EOF_WINDOW:]:
        raise errors.corrupt(name)
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            if len(pdf.pages) == 0:
                raise errors.corrupt(name)
            removed: set[str] = set()
            _clean_annotations(pdf, removed)
            for obj in pdf.objects:
                _clean_object(obj, removed)
            if not removed:
                return CleanedPdf(content=content, removed=())
            out = io.BytesIO()
            # streams are copied as they are: decoding them could inflate a compression bomb, and the same
            # input always gives the same output, so a retried upload is recognised as a duplicate
            pdf.save(
                out,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                encryption=False,
                deterministic_id=True,
            )
            return CleanedPdf(content=out.getvalue(), removed=tuple(sorted(removed)))
    except errors.UploadRejected:
        raise
    except pikepdf.PasswordError as error:
        raise errors.pdf_encrypted(name) from error
    except Exception as error:
        # qpdf reports damage with PdfError, but broken object graphs surface as many other types
        raise errors.corrupt(name) from error
