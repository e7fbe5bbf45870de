"""A citizen on one bar of signal: the connection drops, nothing typed is lost; she finishes on another phone.

Uses the certified copy form (2.000815), three steps: the applicant, the paper (its original issued in Vietnam
here; the foreign alternative is driven by test_multi_step_alternative_offline.py) and the copies with the way
to receive the result, where the postal address appears only for delivery by post. The scan goes with the last
step, so "Tiếp tục" there without it saves the step and says what is missing.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.certified_copy_page import (
    DOSSIER_CODE_RE,
    FORM,
    ID_NUMBER,
    OFFLINE,
    PHONE_TYPED,
    RESTORED,
    RESUME_CODE_RE,
    stored_copies,
    typed_copies,
)

pytestmark = pytest.mark.browser

ISSUER = "Sở Giáo dục và Đào tạo tỉnh Tuyên Quang"
ADDRESS = "Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang"


def test_a_dropped_connection_loses_nothing_and_the_draft_resumes_on_another_phone(
    live_server, browser, page, certificate_pdf, sent_messages
):
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    next_step = page.get_by_role("button", name="Tiếp tục", exact=True)
    # step 1, with a mobile number: the typed copy lives in sessionStorage only, never the identity number
    page.goto(live_server(FORM))
    me = page.get_by_role("region", name="Người yêu cầu (người có hồ sơ)")
    me.get_by_label("Họ, chữ đệm và tên", exact=True).fill("Lê Thị Hoa")
    me.get_by_label("Số điện thoại di động").fill(PHONE_TYPED)
    me.get_by_label("Số định danh cá nhân").fill(ID_NUMBER)
    copies = stored_copies(page)
    assert any("Lê Thị Hoa" in v for v in copies.values()), copies
    assert all(ID_NUMBER not in v for v in copies.values()), copies
    assert page.evaluate("() => localStorage.length") == 0

    # "Tiếp tục": the server saves the draft and shows the resume code; the tab's copy of step 1 goes
    next_step.click()
    expect(page.get_by_role("main")).to_contain_text("Bước 2/3: Giấy tờ cần chứng thực")
    resume_code = page.locator(".resume-code").inner_text().strip()
    assert RESUME_CODE_RE.match(resume_code), resume_code
    expect(page).to_have_url(re.compile(r"[?&]ho-so-tam="))  # a reload comes back to this draft
    assert typed_copies(page) == {}, "the server has it: no copy kept"

    # the resume code also went out by SMS (the local sender records it in the instance folder)
    texts = [m for m in sent_messages() if resume_code in m["body"]]
    assert texts, json.dumps(sent_messages(), ensure_ascii=False)
    assert texts[-1]["recipient"].replace(" ", "").endswith("987654321"), texts[-1]

    # step 2: a paper issued in Vietnam (the alternative the form starts with)
    page.get_by_label("Tên giấy tờ, văn bản cần chứng thực").fill("Bằng tốt nghiệp trung học phổ thông")
    expect(page.get_by_role("radio", name="Giấy tờ do cơ quan, tổ chức Việt Nam cấp")).to_be_checked()
    page.get_by_label("Cơ quan, tổ chức cấp bản chính").fill(ISSUER)
    next_step.click()

    # step 3, the conditional postal address, but no scan yet: "Tiếp tục" saves the step and names the scan
    expect(page.get_by_role("main")).to_contain_text("Bước 3/3: Số bản sao và cách nhận kết quả")
    address = page.get_by_label("Địa chỉ nhận kết quả qua bưu điện")
    expect(address).to_be_hidden()
    page.get_by_role("radio", name="Qua bưu điện").check()
    expect(address).to_be_visible()  # shown the moment it applies
    address.fill("Thôn Đồng Mừng, xã Mỹ Bằng")
    next_step.click()
    expect(page.get_by_role("alert")).to_contain_text("Bản chụp bản chính")
    expect(page.locator(".resume-code")).to_have_text(resume_code)
    expect(page).to_have_url(re.compile(r"[?&]buoc=3&ho-so-tam="))
    assert typed_copies(page) == {}, "the server has it: no copy kept"

    # she types more, then the signal goes
    page.get_by_label("Số bản sao cần chứng thực").fill("3")
    address.fill(ADDRESS)
    url = page.url
    page.context.set_offline(True)
    next_step.click()
    expect(page.get_by_role("alert").filter(has_text=OFFLINE)).to_be_visible()
    assert page.url == url
    expect(page.get_by_label("Số bản sao cần chứng thực")).to_have_value("3")
    expect(address).to_have_value(ADDRESS)

    # back online, the page is loaded again from its address: the server has the last save, the tab the rest
    page.context.set_offline(False)
    page.goto(url)
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_be_visible()
    expect(page.get_by_label("Số bản sao cần chứng thực")).to_have_value("3")
    expect(page.get_by_role("radio", name="Qua bưu điện")).to_be_checked()  # from the server's save
    expect(address).to_be_visible()
    expect(address).to_have_value(ADDRESS)
    next_step.click()  # saved now (the scan is still missing)
    expect(page.get_by_role("alert")).to_contain_text("Bản chụp bản chính")
    expect(page.locator(".resume-code")).to_have_text(resume_code)
    # typed after that answer, then a look at step 2 and back: the copy of step 3 outlives the visit
    page.get_by_label("Số bản sao cần chứng thực").fill("4")
    step_3 = page.url
    page.goto(re.sub(r"buoc=3", "buoc=2", step_3))
    expect(page.get_by_label("Tên giấy tờ, văn bản cần chứng thực")).to_be_visible()
    page.goto(step_3)
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_be_visible()
    expect(page.get_by_label("Số bản sao cần chứng thực")).to_have_value("4")
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
        # it goes on where something is still missing: the scan, on the last step
        expect(phone2.get_by_role("main")).to_contain_text("Bước 3/3: Số bản sao và cách nhận kết quả")
        step_3 = phone2.url
        next2 = phone2.get_by_role("button", name="Tiếp tục", exact=True)
        phone2.goto(re.sub(r"buoc=3", "buoc=1", step_3))
        me2 = phone2.get_by_role("region", name="Người yêu cầu (người có hồ sơ)")
        expect(me2.get_by_label("Số định danh cá nhân")).to_have_value(ID_NUMBER)  # from the server's save
        phone2.goto(re.sub(r"buoc=3", "buoc=2", step_3))
        expect(phone2.get_by_label("Tên giấy tờ, văn bản cần chứng thực")).to_have_value(
            "Bằng tốt nghiệp trung học phổ thông"
        )
        expect(phone2.get_by_label("Cơ quan, tổ chức cấp bản chính")).to_have_value(ISSUER)
        phone2.goto(step_3)
        expect(phone2.get_by_label("Số bản sao cần chứng thực")).to_have_value("3")
        expect(phone2.get_by_label("Địa chỉ nhận kết quả qua bưu điện")).to_have_value(ADDRESS)
        expect(phone2.get_by_role("status").filter(has_text=RESTORED)).to_have_count(0)  # no copy on this phone

        phone2.get_by_label("Bản chụp bản chính cần chứng thực").set_input_files(certificate_pdf)
        next2.click()
        phone2.wait_for_url(re.compile(r"/kiem-tra$"))
        main = phone2.get_by_role("main")
        for answer in ("Lê Thị Hoa", ISSUER, "Qua bưu điện", ADDRESS, certificate_pdf.name):
            expect(main).to_contain_text(answer)
        phone2.get_by_role("button", name="Đăng ký chứng thực").click()
        phone2.wait_for_url(re.compile(r"/ho-so/[^/]+$"))
        expect(phone2.get_by_role("status")).to_contain_text(DOSSIER_CODE_RE)
        assert not any(k.startswith("eform:") for k in stored_copies(phone2))
    finally:
        other.close()


def test_a_blank_form_comes_back_on_reload_but_not_for_the_next_person(live_server, page):
    """Before the first save there is no draft: a reload brings the typing back, a new visit starts blank."""
    helper = page.get_by_label("Họ, chữ đệm và tên người nộp hộ")
    page.goto(live_server(FORM))
    page.get_by_label("Họ, chữ đệm và tên", exact=True).fill("Lê Thị Hoa")
    expect(helper).to_be_hidden()
    page.get_by_role("radio", name=re.compile(r"^Giúp người khác")).check()
    expect(helper).to_be_visible()  # the helper's questions appear when they apply
    helper.fill("Trần Văn Bình")
    page.reload()
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_be_visible()
    expect(page.get_by_label("Họ, chữ đệm và tên", exact=True)).to_have_value("Lê Thị Hoa")
    expect(helper).to_be_visible()
    expect(helper).to_have_value("Trần Văn Bình")

    page.goto(live_server("/"))
    page.goto(live_server(FORM))  # a new visit, as the kiosk's next user would make it
    expect(page.get_by_label("Họ, chữ đệm và tên", exact=True)).to_have_value("")
    expect(helper).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_have_count(0)
    assert not any(k.startswith("eform:") for k in stored_copies(page))
