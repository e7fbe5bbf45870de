"""PD-02: a render that hangs gives ReceiptNotReady within the timeout, and hung renders cannot pile up."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from portal.receipts import pdf as receipts_pdf
from portal.receipts.pdf import (
    MAX_RENDERS_IN_FLIGHT,
    ReceiptData,
    ReceiptNotReady,
    render_receipt_pdf_with_timeout,
)

MakeReceipt = Callable[..., ReceiptData]


@pytest.fixture
def hanging_renderer(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Replace the renderer with one that blocks until the returned event is set (set again on teardown)."""
    release = threading.Event()
    started: list[threading.Thread] = []

    def hang(data: ReceiptData) -> bytes:
        started.append(threading.current_thread())
        release.wait(timeout=30)
        return b"%PDF-late"

    monkeypatch.setattr(receipts_pdf, "render_receipt_pdf", hang)
    monkeypatch.setattr(receipts_pdf, "_flights", {})
    yield release
    release.set()
    for thread in started:
        thread.join(timeout=5)
        assert not thread.is_alive()
    _assert_all_slots_free()


def _assert_all_slots_free() -> None:
    # every render slot comes back once the hung renders end (each thread releases its own)
    deadline = time.monotonic() + 5
    taken = 0
    while taken < MAX_RENDERS_IN_FLIGHT and time.monotonic() < deadline:
        if receipts_pdf._render_slots.acquire(timeout=0.1):
            taken += 1
    for _ in range(taken):
        receipts_pdf._render_slots.release()
    assert taken == MAX_RENDERS_IN_FLIGHT


def test_a_hanging_render_raises_receipt_not_ready_in_time(
    hanging_renderer: threading.Event, make_receipt: MakeReceipt
) -> None:
    started = time.monotonic()
    with pytest.raises(ReceiptNotReady):
        render_receipt_pdf_with_timeout(make_receipt(), timeout_s=0.2)
    assert time.monotonic() - started < 2


def test_hung_renders_cannot_pile_up(hanging_renderer: threading.Event, make_receipt: MakeReceipt) -> None:
    for sequence in range(MAX_RENDERS_IN_FLIGHT):
        with pytest.raises(ReceiptNotReady):
            render_receipt_pdf_with_timeout(make_receipt(code=f"H60.22.5-260213-{sequence + 1:04d}"), 0.05)
    # every slot is held by a hung thread: the next caller is told at once, without waiting its timeout
    started = time.monotonic()
    with pytest.raises(ReceiptNotReady, match="too many"):
        render_receipt_pdf_with_timeout(make_receipt(), timeout_s=10)
    assert time.monotonic() - started < 1


def test_a_retry_joins_the_render_still_running_and_collects_it_late(
    monkeypatch: pytest.MonkeyPatch, make_receipt: MakeReceipt
) -> None:
    release = threading.Event()
    calls: list[ReceiptData] = []

    def slow(data: ReceiptData) -> bytes:
        calls.append(data)
        release.wait(timeout=30)
        return b"%PDF-slow"

    monkeypatch.setattr(receipts_pdf, "render_receipt_pdf", slow)
    monkeypatch.setattr(receipts_pdf, "_flights", {})
    with pytest.raises(ReceiptNotReady):
        render_receipt_pdf_with_timeout(make_receipt(), timeout_s=0.05)
    with pytest.raises(ReceiptNotReady):  # the retry waits on the same render, it does not start another
        render_receipt_pdf_with_timeout(make_receipt(), timeout_s=0.05)
    release.set()
    assert render_receipt_pdf_with_timeout(make_receipt(), timeout_s=5) == b"%PDF-slow"
    assert len(calls) == 1
    assert receipts_pdf._flights == {}  # claimed, so forgotten
    _assert_all_slots_free()


def test_a_crashing_render_raises_its_own_error(monkeypatch: pytest.MonkeyPatch, make_receipt: MakeReceipt) -> None:
    def crash(data: ReceiptData) -> bytes:
        raise RuntimeError("pango fell over")

    monkeypatch.setattr(receipts_pdf, "render_receipt_pdf", crash)
    monkeypatch.setattr(receipts_pdf, "_flights", {})
    with pytest.raises(RuntimeError, match="pango fell over"):
        render_receipt_pdf_with_timeout(make_receipt(), timeout_s=5)
    _assert_all_slots_free()


def test_a_real_render_within_the_timeout_returns_the_pdf(make_receipt: MakeReceipt) -> None:
    pdf = render_receipt_pdf_with_timeout(make_receipt(), timeout_s=60)
    assert pdf.startswith(b"%PDF-")
    assert receipts_pdf._flights == {}
    _assert_all_slots_free()


def test_data_with_lists_still_renders_without_sharing(
    monkeypatch: pytest.MonkeyPatch, make_receipt: MakeReceipt
) -> None:
    monkeypatch.setattr(receipts_pdf, "render_receipt_pdf", lambda data: b"%PDF-ok")
    monkeypatch.setattr(receipts_pdf, "_flights", {})
    unhashable = make_receipt(answers=[])  # a list where the type says tuple
    assert render_receipt_pdf_with_timeout(unhashable, timeout_s=5) == b"%PDF-ok"
    _assert_all_slots_free()
