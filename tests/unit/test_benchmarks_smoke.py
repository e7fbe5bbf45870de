"""The pure helpers of benchmarks/run.py on tiny inputs (no server, no browser, no timing)."""

from __future__ import annotations

import gzip
import importlib.util
import io
import math
import sys
from pathlib import Path

import pytest
from werkzeug.formparser import parse_form_data

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return _load("run")


def test_gzip_size_is_the_level_6_gzip_length_and_page_weight_sums_each_body(bench):
    html = b"<p>Xin ch\xc3\xa0o</p>" * 200
    css = b"body { margin: 0 }\n" * 50
    assert bench.gzip_size(html) == len(gzip.compress(html, compresslevel=6, mtime=0))
    assert bench.gzip_size(html) < len(html)
    assert bench.gzip_size(html) == bench.gzip_size(html)  # no timestamp in the header
    assert bench.page_weight([html, css]) == bench.gzip_size(html) + bench.gzip_size(css)
    assert bench.page_weight([]) == 0
    assert bench.kb(30_000) == "30.0 kB"


def test_asset_urls_finds_stylesheets_scripts_images_once_and_skips_data_uris(bench):
    html = """<!doctype html><html><head>
    <link rel="stylesheet" href="/static/css/portal.css">
    <link rel="alternate" href="/feed">
    <link rel="icon" href="favicon.png">
    <script src="/static/js/forms.js" defer></script><script>inline()</script>
    </head><body><img src="logo.svg#x"><img src="data:image/png;base64,AAAA">
    <link rel="stylesheet" href="/static/css/portal.css"></body></html>"""
    assert bench.asset_urls(html, "http://127.0.0.1:5000/thu-tuc/1.001193/nop-ho-so") == [
        ("stylesheet", "http://127.0.0.1:5000/static/css/portal.css"),
        ("other", "http://127.0.0.1:5000/thu-tuc/1.001193/favicon.png"),
        ("script", "http://127.0.0.1:5000/static/js/forms.js"),
        ("image", "http://127.0.0.1:5000/thu-tuc/1.001193/logo.svg"),
    ]


def test_css_urls_follows_url_and_import_but_not_comments_or_data(bench):
    css = """@import "print.css";
    /* url(old.woff2) */
    @font-face { src: url('../fonts/Noto.woff2') format("woff2"), url(data:font/woff2;base64,AA); }
    .bg { background: url( img/bg.png ) }
    .again { background: url("img/bg.png") }"""
    assert bench.css_urls(css, "http://127.0.0.1:5000/static/css/portal.css") == [
        "http://127.0.0.1:5000/static/css/print.css",
        "http://127.0.0.1:5000/static/fonts/Noto.woff2",
        "http://127.0.0.1:5000/static/css/img/bg.png",
    ]


def test_percentile_interpolates_between_ranks(bench):
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == pytest.approx(50.5)
    assert bench.percentile(values, 95) == pytest.approx(95.05)
    assert bench.percentile([3.0], 95) == 3.0
    assert math.isnan(bench.percentile([], 50))


def test_multipart_body_is_read_back_by_werkzeug_with_vietnamese_names(bench):
    body, content_type = bench.multipart_body(
        [("payload", '{"applicant": {"full_name": "Nguyễn Thị Ánh"}}')],
        [("giay_chung_sinh", "Giấy chứng sinh.pdf", "application/pdf", b"%PDF-1.4 tiny")],
        boundary="bench-boundary",
    )
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    _, form, files = parse_form_data(environ)
    assert form["payload"] == '{"applicant": {"full_name": "Nguyễn Thị Ánh"}}'
    upload = files["giay_chung_sinh"]
    try:
        assert upload.filename == "Giấy chứng sinh.pdf"
        assert upload.mimetype == "application/pdf"
        assert upload.read() == b"%PDF-1.4 tiny"
    finally:
        upload.close()


def test_bare_app_reads_the_body_and_answers_201():
    bare = _load("bare_app")
    response = bare.app.test_client().post("/api/v1/procedures/1.001193/dossiers", data=b"x" * 10)
    assert response.status_code == 201
    assert response.get_json()["bytes"] == 10


def test_pages_only_report_names_the_heaviest_rjsf_sample_against_the_budget(bench, capsys):
    def page(code: str, gzip_bytes: int):
        result = bench.PageResult(code, bench.FORM_PATH.format(code=code))
        result.resources.append(bench.Resource(f"http://127.0.0.1/{code}", "document", 200, 3 * gzip_bytes, gzip_bytes))
        return result

    pages = [page("1.001193", 8_100), page("9.000006", 8_000), page("9.000023", 31_000)]
    samples = bench.SampleForms(
        labels={"9.000006": "blank “Blank”", "9.000023": "layoutGrid “Layout Grid”"},
        refused={"single": "/schema/type: …"},
    )
    report = {
        "machine": {"cpus": 2, "python": "3", "load_average_at_start": (0.1,), "load_average_at_end": (0.2,)},
        "schema": "flask db upgrade",
        "page_weight": {"method": "HTML parsing"},
        "failures": [],
        "seconds": 1.0,
        "phases_s": {},
    }
    bench.print_report(report, pages, None, None, samples)
    out = capsys.readouterr().out
    assert "heaviest form page: 1.001193 8.1 kB" in out
    assert "heaviest rjsf sample form page: 9.000023 layoutGrid “Layout Grid” 31.0 kB gzip" in out
    assert "budget 30.0 kB: OVER BUDGET" in out
    assert "2 sample pages weighed (lightest 9.000006 8.0 kB); refused at import: single" in out
    assert "--pages-only" in out
