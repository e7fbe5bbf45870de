"""Content checks for citizen uploads: type by magic bytes, rebuilt images, stripped PDFs, safe names.

Pure: no Flask and no database here; portal.services.uploads stores what passes.
"""

from portal.uploads.checks import CheckedFile, check_quota, inspect_upload
from portal.uploads.errors import UploadRejected
from portal.uploads.images import MAX_IMAGE_PIXELS
from portal.uploads.names import ascii_fallback, clean_display_name, content_disposition
from portal.uploads.sniff import DEFAULT_ACCEPT, EXTENSIONS, SUPPORTED, normalize_accept, sniff_mime

__all__ = [
    "DEFAULT_ACCEPT",
    "EXTENSIONS",
    "MAX_IMAGE_PIXELS",
    "SUPPORTED",
    "CheckedFile",
    "UploadRejected",
    "ascii_fallback",
    "check_quota",
    "clean_display_name",
    "content_disposition",
    "inspect_upload",
    "normalize_accept",
    "sniff_mime",
]
