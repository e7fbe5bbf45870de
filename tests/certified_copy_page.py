"""What the browser tests of the certified copy form (2.000815) share: its address, the texts it shows, the
values typed, and a look into the tab's sessionStorage copies."""

from __future__ import annotations

import re
from typing import Any

FORM = "/thu-tuc/2.000815/nop-ho-so"
PHONE_TYPED = "0987 654 321"
ID_NUMBER = "008090004321"
RESUME_CODE_RE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")
DOSSIER_CODE_RE = re.compile(r"H60\.22\.5-\d{6}-\d{4,}")
RESTORED = "Đã khôi phục thông tin bạn nhập trước khi mất kết nối."
OFFLINE = "Mất kết nối mạng. Thông tin của bạn vẫn còn trên trang này"


def stored_copies(page: Any) -> dict[str, str]:
    """Everything in the tab's sessionStorage."""
    return page.evaluate(
        "() => { const o = {}; for (let i = 0; i < sessionStorage.length; i++) {"
        " const k = sessionStorage.key(i); o[k] = sessionStorage.getItem(k); } return o; }"
    )


def typed_copies(page: Any) -> dict[str, str]:
    """The copies of typed pages ("eform:<path>:<step>:<draft>"); "eform:sent" only names the page last
    submitted from this tab."""
    return {k: v for k, v in stored_copies(page).items() if k.startswith("eform:") and k != "eform:sent"}
