"""A certified copy of a foreign diploma, step by step: an alternative, a conditional field, a dropped connection.

The form (2.000815) has three steps: the applicant, "Giấy tờ cần chứng thực" (where the original comes from:
issued in Vietnam or abroad, an alternative picked by radio) and "Số bản sao và cách nhận kết quả" (the postal
address appears only for delivery by post). What the product promises, and so what this test holds it to: the
server keeps a draft of every step the citizen finished with "Tiếp tục"; the tab keeps a copy of the page being
typed, in sessionStorage, until the server has it. Another phone resumes the server's draft, nothing more.
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
    typed_copies,
)

pytestmark = pytest.mark.browser

ABROAD = "Giấy tờ do cơ quan, tổ chức nước ngoài cấp"
AT_HOME = "Giấy tờ do cơ quan, tổ chức Việt Nam cấp"
LEGALISED = "Bản chính đã được hợp pháp hóa lãnh sự"
ADDRESS = "Số 12, tổ 5, phường Minh Xuân, tỉnh Tuyên Quang"
STEP_TITLES = ("Người yêu cầu", "Giấy tờ cần chứng thực", "Số bản sao và cách nhận kết quả")


def _form_copies(page) -> dict[str, dict]:
    """The tab's copies of typed pages, parsed."""
    return {k: json.loads(v) for k, v in typed_copies(page).items()}


def _step_of_copy(key: str) -> str:
    return key.split(":")[2]


def _fill_delivery_step(page) -> None:
    """Step 3 as she types it: three copies, by post, and the address that then appears."""
    address = page.get_by_label("Địa chỉ nhận kết quả qua bưu điện")
    page.get_by_label("Số bản sao cần chứng thực").fill("3")
    expect(address).to_be_hidden()
    page.get_by_role("radio", name="Qua bưu điện").check()
    expect(address).to_be_visible()  # shown the moment it applies
    address.fill(ADDRESS)


def _expect_delivery_step_as_typed(page) -> None:
    expect(page.get_by_label("Số bản sao cần chứng thực")).to_have_value("3")
    expect(page.get_by_role("radio", name="Qua bưu điện")).to_be_checked()
    expect(page.get_by_label("Địa chỉ nhận kết quả qua bưu điện")).to_be_visible()
    expect(page.get_by_label("Địa chỉ nhận kết quả qua bưu điện")).to_have_value(ADDRESS)


def test_a_foreign_original_filed_over_three_steps_survives_a_dropped_connection_and_another_phone(
    live_server, browser, page, certificate_pdf, sent_messages
):
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    next_step = page.get_by_role("button", name="Tiếp tục", exact=True)

    # step 1: who asks
    page.goto(live_server(FORM))
    expect(page.get_by_role("main")).to_contain_text("Bước 1/3: Người yêu cầu")
    page.get_by_label("Cho chính tôi").check()
    me = page.get_by_role("region", name="Người yêu cầu (người có hồ sơ)")
    me.get_by_label("Họ, chữ đệm và tên", exact=True).fill("Lê Thị Hoa")
    me.get_by_label("Số điện thoại di động").fill(PHONE_TYPED)
    me.get_by_label("Số định danh cá nhân").fill(ID_NUMBER)
    next_step.click()

    # the first save: the draft has a resume code on screen, and the same code went out by SMS
    expect(page.get_by_role("main")).to_contain_text("Bước 2/3: Giấy tờ cần chứng thực")
    resume_code = page.locator(".resume-code").inner_text().strip()
    assert RESUME_CODE_RE.match(resume_code), resume_code
    texts = [m for m in sent_messages() if resume_code in m["body"]]
    assert texts, json.dumps(sent_messages(), ensure_ascii=False)
    assert texts[-1]["recipient"].replace(" ", "").endswith("987654321"), texts[-1]

    # step 2: the paper, issued abroad; picking that alternative swaps the questions at once
    page.get_by_label("Tên giấy tờ, văn bản cần chứng thực").fill("Bằng thạc sĩ Quản trị kinh doanh")
    origin = page.get_by_role("group", name="Nguồn gốc bản chính")
    issuer = origin.get_by_label("Cơ quan, tổ chức cấp bản chính")
    country = origin.get_by_label("Nước cấp bản chính")
    expect(origin.get_by_role("radio", name=AT_HOME)).to_be_checked()
    expect(issuer).to_be_visible()
    expect(country).to_be_hidden()
    origin.get_by_role("radio", name=ABROAD).check()
    expect(issuer).to_be_hidden()
    expect(origin.get_by_role("group", name="Ngày cấp")).to_be_hidden()
    expect(country).to_be_visible()
    country.fill("Nhật Bản")
    origin.get_by_label("Cơ quan, tổ chức nước ngoài cấp bản chính").fill("Đại học Osaka")
    origin.get_by_role("group", name="Hợp pháp hóa lãnh sự").get_by_role("radio", name=LEGALISED).check()
    page.get_by_role("radio", name="Tiếng nước ngoài").check()
    page.get_by_label("Số trang của bản chính").fill("2")
    next_step.click()

    # step 3: the server has step 2 now, so the tab keeps no copy of it, only of the page being typed
    expect(page.get_by_role("main")).to_contain_text("Bước 3/3: Số bản sao và cách nhận kết quả")
    expect(page.locator(".resume-code")).to_have_text(resume_code)
    _fill_delivery_step(page)
    copies = _form_copies(page)
    assert [_step_of_copy(k) for k in copies] == ["3"], copies
    assert ADDRESS in json.dumps(copies, ensure_ascii=False)
    assert page.evaluate("() => localStorage.length") == 0

    # the signal goes: "Tiếp tục" stays on the page with everything typed, and says why
    url = page.url
    page.context.set_offline(True)
    next_step.click()
    expect(page.get_by_role("alert").filter(has_text=OFFLINE)).to_be_visible()
    assert page.url == url
    _expect_delivery_step_as_typed(page)

    # back online, the step is loaded again from its address: the tab puts back what it typed
    page.context.set_offline(False)
    page.goto(url)
    expect(page.get_by_role("status").filter(has_text=RESTORED)).to_be_visible()
    _expect_delivery_step_as_typed(page)
    assert script_errors == []

    # another phone: no cookies, no storage; the code and the phone number open the server's draft
    other = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740})
    try:
        phone2 = other.new_page()
        phone2.on("pageerror", lambda error: script_errors.append(str(error)))
        phone2.goto(live_server("/tiep-tuc"))
        phone2.get_by_label("Mã tiếp tục").fill(resume_code.lower())
        phone2.get_by_label("Số điện thoại đã khai trong tờ khai").fill(PHONE_TYPED)
        phone2.get_by_role("button", name="Tiếp tục điền hồ sơ").click()
        expect(phone2.get_by_role("heading", level=1)).to_have_text("Điền tờ khai")
        next2 = phone2.get_by_role("button", name="Tiếp tục", exact=True)

        # it goes on where something is still missing: step 3, only ever typed in the first phone's tab, so
        # the server's draft has its defaults there
        expect(phone2.get_by_role("main")).to_contain_text("Bước 3/3: Số bản sao và cách nhận kết quả")
        step_3 = phone2.url
        expect(phone2.get_by_role("status").filter(has_text=RESTORED)).to_have_count(0)
        expect(phone2.get_by_label("Số bản sao cần chứng thực")).to_have_value("1")
        expect(phone2.get_by_role("radio", name="Tại Bộ phận Một cửa")).to_be_checked()

        # the steps before it, as saved
        phone2.goto(re.sub(r"buoc=3", "buoc=1", step_3))
        expect(phone2.get_by_role("main")).to_contain_text("Bước 1/3: Người yêu cầu")
        me2 = phone2.get_by_role("region", name="Người yêu cầu (người có hồ sơ)")
        expect(me2.get_by_label("Họ, chữ đệm và tên", exact=True)).to_have_value("Lê Thị Hoa")
        expect(me2.get_by_label("Số định danh cá nhân")).to_have_value(ID_NUMBER)
        next2.click()

        # step 2 as saved: the foreign alternative picked again from the data, its answers in place
        expect(phone2.get_by_role("main")).to_contain_text("Bước 2/3: Giấy tờ cần chứng thực")
        origin2 = phone2.get_by_role("group", name="Nguồn gốc bản chính")
        expect(origin2.get_by_role("radio", name=ABROAD)).to_be_checked()
        expect(origin2.get_by_label("Cơ quan, tổ chức cấp bản chính")).to_be_hidden()
        expect(origin2.get_by_label("Nước cấp bản chính")).to_have_value("Nhật Bản")
        expect(origin2.get_by_role("radio", name=LEGALISED)).to_be_checked()
        next2.click()

        expect(phone2.get_by_role("main")).to_contain_text("Bước 3/3: Số bản sao và cách nhận kết quả")
        _fill_delivery_step(phone2)
        phone2.get_by_label("Bản chụp bản chính cần chứng thực").set_input_files(certificate_pdf)
        next2.click()

        # check your answers: every step with its change link, the foreign answers and not the others
        phone2.wait_for_url(re.compile(r"/kiem-tra$"))
        main = phone2.get_by_role("main")
        expect(main.get_by_role("link", name="Thay đổi thông tin người yêu cầu")).to_be_visible()
        for n, title in enumerate(STEP_TITLES[1:], start=2):
            expect(main.get_by_role("heading", level=2, name=title)).to_be_visible()
            change = main.get_by_role("link", name=f"Thay đổi {title}")
            expect(change).to_have_attribute("href", re.compile(rf"[?&]buoc={n}(&|$)"))
        expect(main.get_by_role("link", name="Thay đổi giấy tờ đính kèm")).to_be_visible()
        shown = (
            "Lê Thị Hoa",
            "Bằng thạc sĩ Quản trị kinh doanh",
            "Nguồn gốc bản chính",
            "Nước cấp bản chính",
            "Nhật Bản",
            "Đại học Osaka",
            LEGALISED,
            "Tiếng nước ngoài",
            "Qua bưu điện",
            ADDRESS,
            certificate_pdf.name,
        )
        for answer in shown:
            expect(main).to_contain_text(answer)
        expect(main).not_to_contain_text("Cơ quan, tổ chức cấp bản chính")
        expect(main).not_to_contain_text("Ngày cấp")

        phone2.get_by_role("button", name="Đăng ký chứng thực").click()
        phone2.wait_for_url(re.compile(r"/ho-so/[^/]+$"))
        panel = phone2.get_by_role("status")
        expect(panel).to_contain_text(DOSSIER_CODE_RE)
        dossier_code = DOSSIER_CODE_RE.search(panel.inner_text()).group(0)
        assert _form_copies(phone2) == {}
        assert script_errors == []
    finally:
        other.close()

    data = _dossier_data(live_server.app, dossier_code)
    assert data["origin"] == {
        "issuing_country": "Nhật Bản",
        "foreign_issuer": "Đại học Osaka",
        "legalisation": "da_hop_phap_hoa",
    }
    assert not {"issuer", "issued_on"} & (set(data["origin"]) | set(data))  # the alternative not picked
    assert data["document_name"] == "Bằng thạc sĩ Quản trị kinh doanh"
    assert data["language"] == "tieng_nuoc_ngoai"
    assert (data["copies"], data["delivery"], data["delivery_address"]) == (3, "buu_dien", ADDRESS)


def _dossier_data(app, code: str) -> dict:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Dossier

    with app.app_context():
        try:
            dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
            assert dossier is not None, code
            return dict(dossier.data)
        finally:
            db.session.remove()
