"""The receipt's QR code: the SVG we embed draws exactly segno's encoding of the lookup URL, at level M.

No QR decoder is installed here, so nothing reads the code back the way a phone would; these tests check
that what we draw is module-for-module the symbol segno encodes for the URL (segno's own encoder is trusted).
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest
import segno

from portal.receipts.qr import QUIET_ZONE, make_qr, qr_svg_data_uri

URLS = [
    "https://motcua.tuyenquang.gov.vn/tra-cuu?ma=H60.22.5-260213-0007",
    "http://localhost:5000/tra-cuu?ma=H60.22.5-260213-12345",
    "https://dichvucong.example.vn/ho-so/" + "a" * 300,
]
_SVG = "{http://www.w3.org/2000/svg}"


def _svg(uri: str) -> ET.Element:
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    return ET.fromstring(base64.b64decode(uri[len(prefix) :], validate=True))


def _modules_drawn(svg: ET.Element) -> list[list[bool]]:
    """Rebuild the module grid from segno's path: each `h` run strokes dark modules on row y - 0.5."""
    view = [int(float(v)) for v in svg.attrib["viewBox"].split()]
    size = view[2]
    grid = [[False] * size for _ in range(size)]
    paths = svg.findall(f"{_SVG}path")
    assert len(paths) == 1
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?", paths[0].attrib["d"]):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            end = float(a) if command == "H" else x + float(a)
            for column in range(int(x), int(end)):
                grid[int(y - 0.5)][column] = True
            x = end
    return grid


@pytest.mark.parametrize("url", URLS)
def test_svg_draws_segnos_level_m_encoding_of_the_url(url: str) -> None:
    svg = _svg(qr_svg_data_uri(url))
    expected = segno.make(url, error="m", boost_error=False, micro=False)
    drawn = _modules_drawn(svg)
    border = QUIET_ZONE
    inner = [row[border:-border] for row in drawn[border:-border]]
    assert inner == [[bool(module) for module in row] for row in expected.matrix]
    # the quiet zone is light all round
    assert not any(drawn[i][j] for i in range(len(drawn)) for j in range(len(drawn)) if min(i, j) < border)


def test_error_correction_is_m_not_boosted() -> None:
    symbol = make_qr(URLS[0])
    assert symbol.error == "M"
    assert not symbol.is_micro
    # and it is the smallest version that holds the URL at M
    assert symbol.version == segno.make(URLS[0], error="m", boost_error=False, micro=False).version


def test_svg_scales_to_the_stylesheet() -> None:
    svg = _svg(qr_svg_data_uri(URLS[0]))
    assert "viewBox" in svg.attrib
    assert "width" not in svg.attrib and "height" not in svg.attrib


def test_a_url_no_qr_version_can_hold_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        qr_svg_data_uri("https://x.vn/" + "a" * 5000)
