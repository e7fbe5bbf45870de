"""Images rebuilt from their pixels (UP-03, UP-04).

The pixel count is read from the header before anything is decoded; Pillow's own bomb warning is turned into
a rejection as a second line. The result carries no EXIF (GPS), comments, text chunks, colour profile or
trailing bytes: only pixels, turned upright and converted to sRGB.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterator

from PIL import Image, ImageCms, ImageOps

from portal.uploads import errors
from portal.uploads.sniff import JPEG, PNG

#: the largest image kept, in pixels. Phones save 12 MP unless the owner picks a 48–200 MP mode; such a
#: photo is refused with the advice to take it again at a lower resolution.
MAX_IMAGE_PIXELS = 40_000_000
JPEG_QUALITY = 85

_PILLOW_FORMATS = {JPEG: ("JPEG",), PNG: ("PNG",)}
# phones write multi-picture JPEGs (MPO); Pillow names them apart but they decode like any JPEG
_EXPECTED_FORMAT = {JPEG: {"JPEG", "MPO"}, PNG: {"PNG"}}
# start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16"})
_SRGB = ImageCms.createProfile("sRGB")


def _jpeg_segments(content: bytes) -> Iterator[tuple[int, int]]:
    """(marker, offset) of each JPEG marker segment up to and including the first start-of-scan."""
    position = 2
    while position + 4 <= len(content):
        if content[position] != 0xFF:
            return
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
            continue
        yield marker, position
        if marker in (0xD9, 0xDA):  # end of image, or start of scan: entropy-coded data follows
            return
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        position += 2 + length


def header_size(content: bytes, mime: str) -> tuple[int, int] | None:
    """(width, height) read straight from a PNG IHDR or a JPEG start-of-frame, or None if not found."""
    if mime == PNG:
        if len(content) >= 24 and content[12:16] == b"IHDR":
            width, height = struct.unpack(">II", content[16:24])
            return width, height
        return None
    for marker, position in _jpeg_segments(content):
        if marker in _JPEG_SOF and position + 9 <= len(content):
            height, width = struct.unpack(">HH", content[position + 5 : position + 9])
            return width, height
    return None


def is_complete(content: bytes, mime: str) -> bool:
    """Whether the file reaches its end marker: PNG chunks up to IEND, JPEG scan data up to EOI.

    Pillow would notice a file cut short too, but not once anything in the process (WeasyPrint does, on
    import) has set ImageFile.LOAD_TRUNCATED_IMAGES; then it silently pads the picture with grey.
    """
    if mime == PNG:
        position = 8
        while position + 12 <= len(content):
            (length,) = struct.unpack(">I", content[position : position + 4])
            end = position + 12 + length
            if end > len(content):
                return False
            if content[position + 4 : position + 8] == b"IEND":
                return True
            position = end
        return False
    for marker, position in _jpeg_segments(content):
        if marker == 0xDA:
            # stuffing (FF 00) keeps FF D9 out of the scan data, so the first one after it ends the image
            return content.find(b"\xff\xd9", position) != -1
    return False


def _check_pixels(width: int, height: int, name: str) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise errors.image_bomb(name, width, height)


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block must not cost the citizen an otherwise good photo
        return image


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Bake a camera or scanner colour profile into sRGB pixels, so the profile itself can be dropped."""
    if not icc or image.mode not in ("RGB", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
    except Exception:  # a malformed profile: keep the pixels as they are
        return image
    return converted if converted is not None else image


def reencode_image(content: bytes, mime: str, *, name: str) -> bytes:
    """The image decoded and written again as the same type, or UploadRejected (image_bomb, corrupt)."""
    size = header_size(content, mime)
    if size is not None:
        _check_pixels(*size, name)
    if not is_complete(content, mime):
        raise errors.corrupt(name)
    # catch_warnings is process-wide state; should another thread reset it meanwhile, the header check above
    # and the size check below still hold, since Pillow only warns above 89 MP
    with warnings.catch_warnings():
        # Pillow's other warnings are about metadata (corrupt EXIF, odd MPO index) that is dropped anyway
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _decode(content, mime, name, size)
        try:
            return _encode(image, mime)
        except Exception as error:
            # an odd mode or palette the encoder cannot write back: to the citizen, a file we cannot read
            raise errors.corrupt(name) from error


def _decode(content: bytes, mime: str, name: str, size: tuple[int, int] | None) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(content), formats=_PILLOW_FORMATS[mime])
        _check_pixels(*image.size, name)
        if image.format not in _EXPECTED_FORMAT[mime]:
            raise errors.corrupt(name)
        image.load()
    except errors.UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise errors.image_bomb(name, *(size or ())) from error
    except Exception as error:
        # Pillow signals bad input with many types (OSError, SyntaxError, ValueError, struct.error…);
        # for an upload they all mean the same thing to the citizen
        raise errors.corrupt(name) from error
    return image


def _encode(image: Image.Image, mime: str) -> bytes:
    icc = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    image = _upright(image)
    image = _to_srgb(image, icc)
    # everything left in info (EXIF, comments, text chunks, profile) would be written back by some encoders
    image.info = {}
    out = io.BytesIO()
    if mime == JPEG:
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        options: dict[str, object] = {"optimize": True}
        if image.mode not in _PNG_MODES:
            image = image.convert("RGBA")
        elif transparency is not None and image.mode in ("P", "L", "RGB"):
            options["transparency"] = transparency
        image.save(out, "PNG", **options)
    return out.getvalue()
