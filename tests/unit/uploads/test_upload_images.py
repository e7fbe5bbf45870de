"""Images rebuilt from pixels: payloads and EXIF/GPS gone, upright, bombs refused undecoded (UP-03, UP-04)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile
from upload_samples import (
    ACCEPT_ALL,
    GPS_IFD,
    TEN_MB,
    jpeg,
    phone_photo_exif,
    png,
    png_declaring,
    png_with_text,
    sideways_photo,
    srgb_icc,
)

from portal.uploads import UploadRejected, inspect_upload
from portal.uploads import images as image_checks
from portal.uploads.images import header_size

SCRIPT = b"<script>alert(document.cookie)</script>"


def check(content: bytes, name: str = "anh.jpg"):
    return inspect_upload(content, declared_name=name, accept=ACCEPT_ALL, max_bytes=TEN_MB)


def reject(content: bytes, name: str = "anh.png") -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        check(content, name)
    return caught.value


def opened(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def test_polyglot_jpeg_is_accepted_with_the_trailing_script_gone() -> None:
    polyglot = jpeg((120, 80), "gray", exif=phone_photo_exif(None)) + SCRIPT
    checked = check(polyglot, "cccd.jpg")
    assert checked.mime_type == "image/jpeg"
    assert checked.extension == "jpg"
    assert SCRIPT not in checked.content
    assert b"<script" not in checked.content
    assert checked.content.endswith(b"\xff\xd9")
    assert opened(checked.content).size == (120, 80)


def test_exif_and_gps_are_stripped() -> None:
    original = jpeg((120, 80), exif=phone_photo_exif(None), comment=b"Nguyen Van A")
    assert opened(original).getexif().get_ifd(GPS_IFD)  # the sample really carries a location
    checked = check(original)
    image = opened(checked.content)
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "comment" not in image.info
    assert b"Exif" not in checked.content
    assert b"PhoneMaker" not in checked.content and b"Nguyen Van A" not in checked.content


def test_phone_photo_is_turned_upright_before_the_orientation_tag_is_dropped() -> None:
    checked = check(sideways_photo())
    image = opened(checked.content).convert("RGB")
    assert image.size == (100, 200)
    top_red, _, top_blue = image.getpixel((50, 20))
    bottom_red, _, bottom_blue = image.getpixel((50, 180))
    assert top_red > 200 and top_blue < 60  # the left (red) half is now on top
    assert bottom_blue > 200 and bottom_red < 60


def test_png_text_chunks_and_trailing_bytes_are_dropped() -> None:
    checked = check(png_with_text("<script>alert(1)</script>") + SCRIPT, "chu-ky.png")
    assert checked.mime_type == "image/png"
    assert b"script" not in checked.content
    assert opened(checked.content).text == {}


def test_colour_profile_is_baked_in_and_dropped() -> None:
    checked = check(jpeg(icc_profile=srgb_icc()))
    assert "icc_profile" not in opened(checked.content).info


def test_png_transparency_survives() -> None:
    checked = check(png((10, 10), (0, 0, 0, 0), mode="RGBA"), "logo.png")
    assert opened(checked.content).mode == "RGBA"
    assert opened(checked.content).getpixel((0, 0))[3] == 0


def test_palette_png_keeps_its_transparent_colour() -> None:
    image = Image.new("P", (4, 1), 0)
    image.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
    for x in range(4):
        image.putpixel((x, 0), x)
    out = io.BytesIO()
    image.save(out, "PNG", transparency=3)
    result = opened(check(out.getvalue(), "a.png").content)
    assert result.mode == "P"
    pixels = [result.convert("RGBA").getpixel((x, 0)) for x in range(4)]
    assert pixels == [(255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255), (255, 255, 255, 0)]


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_grayscale_and_cmyk_scans_come_back_as_viewable_jpeg(mode: str) -> None:
    result = opened(check(jpeg(mode=mode, color=0 if mode == "L" else (0, 0, 0, 0))).content)
    assert result.mode == ("L" if mode == "L" else "RGB")


def test_the_same_photo_rebuilds_to_the_same_bytes() -> None:
    photo = sideways_photo()
    assert check(photo).content == check(photo).content


def test_image_bomb_48kb_png_declaring_20000_by_20000_is_refused_from_the_header(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bomb = png_declaring(20000, 20000)
    assert len(bomb) < 60 * 1024

    def must_not_decode(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoded the bomb")

    monkeypatch.setattr(Image, "open", must_not_decode)
    error = reject(bomb, "bomb.png")
    assert error.code == "image_bomb"
    assert "20000×20000" in error.message_vi


def test_image_over_40_megapixels_is_refused_below_pillows_own_limit() -> None:
    error = reject(png_declaring(7000, 7000), "scan.png")  # 49 MP: Pillow would not even warn
    assert error.code == "image_bomb"


def test_pillows_bomb_warning_is_turned_into_a_rejection(monkeypatch: pytest.MonkeyPatch) -> None:
    # with our own cap out of the way, only the escalated DecompressionBombWarning stands between a
    # 100 MP image (between Pillow's 89.5 MP warning and 179 MP error) and the decoder
    monkeypatch.setattr(image_checks, "MAX_IMAGE_PIXELS", 10**12)
    monkeypatch.setattr(image_checks, "header_size", lambda content, mime: None)
    error = reject(png_declaring(10000, 10000), "scan.png")
    assert error.code == "image_bomb"


def test_jpeg_header_size_is_read_without_decoding() -> None:
    assert header_size(jpeg((321, 123)), "image/jpeg") == (321, 123)
    assert header_size(jpeg((64, 48), exif=phone_photo_exif()), "image/jpeg") == (64, 48)
    assert header_size(png((321, 123)), "image/png") == (321, 123)
    assert header_size(b"\xff\xd8\xff", "image/jpeg") is None


def test_jpeg_declaring_65535_squared_is_refused() -> None:
    photo = bytearray(jpeg((16, 16)))
    sof = photo.index(b"\xff\xc0")
    photo[sof + 5 : sof + 9] = b"\xff\xff\xff\xff"
    assert reject(bytes(photo), "a.jpg").code == "image_bomb"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (jpeg((400, 300))[:600], "cut.jpg"),  # a photo cut short
        (png((400, 300), "red")[:-40], "cut.png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "fake.jpg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "fake.png"),
    ],
)
def test_damaged_image_is_corrupt(content: bytes, name: str) -> None:
    error = reject(content, name)
    assert error.code == "corrupt"
    assert "tải lên lại" in error.message_vi


@pytest.mark.parametrize("name", ["cut.jpg", "cut.png"])
def test_cut_image_is_corrupt_even_after_weasyprint_relaxed_pillow(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # WeasyPrint sets this process-wide when imported (the receipts use it)
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    whole = jpeg((400, 300), "red") if name.endswith(".jpg") else png((400, 300), "red")
    assert reject(whole[: len(whole) * 8 // 10], name).code == "corrupt"
    assert check(whole, name).mime_type in {"image/jpeg", "image/png"}


def test_jpeg_with_an_exif_thumbnail_is_not_mistaken_for_complete() -> None:
    thumbnail = jpeg((16, 16))  # carries its own end-of-image marker inside APP1
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    photo = jpeg((200, 150), "red", exif=exif.tobytes() + thumbnail)
    assert reject(photo[: len(photo) - 200], "cut.jpg").code == "corrupt"


def test_multi_picture_phone_jpeg_becomes_a_plain_jpeg() -> None:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (64, 48))])
    result = opened(check(out.getvalue(), "3d.jpg").content)
    assert result.format == "JPEG"
    assert getattr(result, "n_frames", 1) == 1
