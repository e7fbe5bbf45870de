"""A citizen on one bar of signal: the connection drops, nothing typed is lost; she finishes on another phone.

Uses the certified copy form (2.000815): a single page with a conditional field (the postal address, shown
when the result comes "Qua bưu điện"), so the multi-step birth form does not change what this test drives.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FORM = "/thu-tuc/2.000815/nop-ho-so"
PHONE_TYPED = "0987 654 321"
ID_NUMBER = "008090004321"
RESUME_CODE_RE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")
DOSSIER_CODE_RE = re.compile(r"H60\.22\.5-\d{6}-\d{4,}")
RESTORED = "Đã khôi phục thông tin bạn nhập trước khi mất kết nối."
OFFLINE = "Mất kết nối mạng. Thông tin của bạn vẫn còn trên trang này"


def _stored_copies(page) -> dict[str, str]:
    return page.evaluate(
        "() => { const o = {}; for (let i = 0; i < sessionStorage.length; i++) {"
        " const k = sessionStorage.key(i); o[k] = sessionStorage.getItem(k); } return o; }"
    )


def test_a_dropped_connection_loses_nothing_and_the_draft_resumes_on_another_phone(
    live_server, browser, page, certificate_pdf, sent_messages
):
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    # part of the form, with the conditional postal address and a mobile number, but no scan yet
    page.goto(live_server(FORM))
    me = page.get_by_role("region", name="Người yêu cầu (người có hồ sơ)")
    me.get_by_label("Họ, chữ đệm và tên", exact=True).fill("Lê Thị Hoa")
    me.get_by_label("Số điện thoại di động").fill(PHONE_TYPED)
    me.get_by_label("Số định danh cá nhân").fill(ID_NUMBER)
    page.get_by_label("Tên giấy tờ, văn bản cần chứng thực").fill("Bằng tốt nghiệp trung học phổ thông")
    address = page.get_by_label("Địa chỉ nhận kết quả qua bưu điện")
    expect(address).to_be_hidden()
    page.get_by_role("radio", name="Qua bưu điện").check()
    expect(address).to_be_visible()  # shown the moment it applies
    address.fill("Thôn Đồng Mừng, xã Mỹ Bằng")

    # the typed copy lives in sessionStorage only, and never holds the identity number
    copies = _stored_copies(page)
    assert any("Bằng tốt nghiệp" in v for v in copies.values()), copies
    assert all(ID_NUMBER not in v for v in copies.values()), copies
    assert page.evaluate("() => localStorage.length") == 0

    # "Tiếp tục" once: the server saves the draft (the scan is still missing) and shows the resume code
    page.get_by_role("button", name="Tiếp tục", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Bản chụp bản chính")
    resume_code = page.locator(".resume-code").inner_text().strip()
    assert RESUME_CODE_RE.match(resume_code), resume_code
    expect(page).to_have_url(re.compile(r"[?&]ho-so-tam="))  # a reload comes back to this draft
    assert not any(k.startswith("eform:") for k in _stored_copies(page)), "the server has it: no copy kept"

    # the resume code also went out by SMS (the local sender records it in the instance folder)
    texts = [m for m in sent_messages() if resume_code in m["body"]]
    assert texts, json.dumps(sent_messages(), ensure_ascii=False)
    assert texts[-1]["recipient"].replace(" ", "").endswith("987654321"), texts[-1]

    # she types more, then the signal goes
    page.get_by_label("Cơ quan, tổ chức cấp bản chính").fill("Sở Giáo dục và Đào tạo tỉnh Tuyên Quang")
    page.get_by_label("Số bản sao cần chứng thực").fill("3")
    address.fill("Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang")
    url = page.url
    page.context.set_offline(True)
    page.get_by_role("button", name="Tiếp tục", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text=OFFLINE)).to_be_visible()
    assert page.url == url
    expect(page.get_by_label("Cơ quan, tổ chức cấp bản chính")).to_have_value("Sở Giáo dục và Đào tạo tỉnh Tuyên Quang")
    expect(address).to_have_value("Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang")

    # back online, the page is loaded again from its address: the server has the last save, the tab the rest
    page.context.set_offline(False)
    page.goto(url)
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_be_visible()
    expect(page.get_by_label("Cơ quan, tổ chức cấp bản chính")).to_have_value("Sở Giáo dục và Đào tạo tỉnh Tuyên Quang")
    expect(page.get_by_label("Số bản sao cần chứng thực")).to_have_value("3")
    expect(page.get_by_role("radio", name="Qua bưu điện")).to_be_checked()
    expect(address).to_be_visible()
    expect(address).to_have_value("Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang")
    expect(me.get_by_label("Số định danh cá nhân")).to_have_value(ID_NUMBER)  # from the server's save
    page.get_by_role("button", name="Tiếp tục", exact=True).click()  # saved now (the scan is still missing)
    expect(page.locator(".resume-code")).to_have_text(resume_code)
    assert script_errors == []

    # another phone: a fresh browser, the code and the phone number
    other = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740})
    try:
        phone2 = other.new_page()
        phone2.goto(live_server("/tiep-tuc"))
        phone2.get_by_label("Mã tiếp tục").fill(resume_code.lower())
        phone2.get_by_label("Số điện thoại đã khai trong tờ khai").fill(PHONE_TYPED)
        phone2.get_by_role("button", name="Tiếp tục điền hồ sơ").click()
        expect(phone2.get_by_role("heading", level=1)).to_have_text("Điền tờ khai")
        expect(phone2.get_by_label("Tên giấy tờ, văn bản cần chứng thực")).to_have_value(
            "Bằng tốt nghiệp trung học phổ thông"
        )
        expect(phone2.get_by_label("Cơ quan, tổ chức cấp bản chính")).to_have_value(
            "Sở Giáo dục và Đào tạo tỉnh Tuyên Quang"
        )
        expect(phone2.get_by_label("Số bản sao cần chứng thực")).to_have_value("3")
        address2 = phone2.get_by_label("Địa chỉ nhận kết quả qua bưu điện")
        expect(address2).to_have_value("Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang")
        expect(phone2.get_by_role("status").filter(has_text=RESTORED)).to_have_count(0)  # no copy on this phone

        phone2.get_by_label("Bản chụp bản chính cần chứng thực").set_input_files(certificate_pdf)
        phone2.get_by_role("button", name="Tiếp tục", exact=True).click()
        phone2.wait_for_url(re.compile(r"/kiem-tra$"))
        main = phone2.get_by_role("main")
        for answer in ("Lê Thị Hoa", "Sở Giáo dục và Đào tạo tỉnh Tuyên Quang", "Qua bưu điện", certificate_pdf.name):
            expect(main).to_contain_text(answer)
        phone2.get_by_role("button", name="Đăng ký chứng thực").click()
        phone2.wait_for_url(re.compile(r"/ho-so/[^/]+$"))
        expect(phone2.get_by_role("status")).to_contain_text(DOSSIER_CODE_RE)
        assert not any(k.startswith("eform:") for k in _stored_copies(phone2))
    finally:
        other.close()


def test_a_blank_form_comes_back_on_reload_but_not_for_the_next_person(live_server, page):
    """Before the first save there is no draft: a reload brings the typing back, a new visit starts blank."""
    page.goto(live_server(FORM))
    page.get_by_label("Tên giấy tờ, văn bản cần chứng thực").fill("Giấy khai sinh")
    page.get_by_role("radio", name="Qua bưu điện").check()
    page.get_by_label("Địa chỉ nhận kết quả qua bưu điện").fill("Tổ 5, phường Minh Xuân")
    page.reload()
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_be_visible()
    expect(page.get_by_label("Tên giấy tờ, văn bản cần chứng thực")).to_have_value("Giấy khai sinh")
    expect(page.get_by_label("Địa chỉ nhận kết quả qua bưu điện")).to_have_value("Tổ 5, phường Minh Xuân")

    page.goto(live_server("/"))
    page.goto(live_server(FORM))  # a new visit, as the kiosk's next user would make it
    expect(page.get_by_label("Tên giấy tờ, văn bản cần chứng thực")).to_have_value("")
    expect(page.get_by_label("Địa chỉ nhận kết quả qua bưu điện")).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_have_count(0)
    assert not any(k.startswith("eform:") for k in _stored_copies(page))
