"""QR codes for printed receipts (Circular 01/2023 puts one top-left): SVG data URIs drawn by segno."""

from __future__ import annotations

import base64
import io

import segno

#: Error correction level M (15 %) survives a creased or smudged slip without growing the symbol much.
ERROR_LEVEL = "m"
#: The standard quiet zone; the receipt's layout gives the image no other margin.
QUIET_ZONE = 4


def make_qr(url: str) -> segno.QRCode:
    """The QR symbol for `url`, exactly as `qr_svg_data_uri` draws it (tests decode against this)."""
    # boost_error=False keeps the level at M as documented; segno would otherwise silently raise it.
    # micro=False: Micro QR is not read by most phone cameras.
    return segno.make(url, error=ERROR_LEVEL, boost_error=False, micro=False)


def qr_svg_data_uri(url: str) -> str:
    """`data:image/svg+xml;base64,…` for an <img>: a vector symbol that prints sharp at any size.

    The SVG has a viewBox and no width/height, so the stylesheet decides the printed size.
    Raises ValueError (segno's DataOverflowError) when the URL is too long for any QR version.
    """
    buffer = io.BytesIO()
    make_qr(url).save(
        buffer,
        kind="svg",
        border=QUIET_ZONE,
        xmldecl=False,
        omitsize=True,
        svgclass=None,
        lineclass=None,
        dark="#000",
        nl=False,
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
