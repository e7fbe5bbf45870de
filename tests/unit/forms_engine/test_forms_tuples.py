"""Fixed positions in a list: draft 2020-12 `prefixItems` and draft-07 tuple `items` + `additionalItems`."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from portal.forms_engine import compile_form

# A plot of land: its map sheet number and parcel number, then any number of co-owners' names.
PLOT_2020 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "plot": {
            "type": "array",
            "title": "Thửa đất",
            "prefixItems": [
                {"type": "integer", "title": "Số tờ bản đồ", "minimum": 1},
                {"type": "integer", "title": "Số thửa", "minimum": 1},
            ],
            "items": {"type": "string", "title": "Đồng sở hữu", "minLength": 2},
        }
    },
}
PLOT_07 = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "plot": {
            "type": "array",
            "title": "Thửa đất",
            "items": [
                {"type": "integer", "title": "Số tờ bản đồ", "minimum": 1},
                {"type": "integer", "title": "Số thửa", "minimum": 1},
            ],
            "additionalItems": {"type": "string", "title": "Đồng sở hữu", "minLength": 2},
        }
    },
}
CLOSED_2020 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "range": {
            "type": "array",
            "prefixItems": [{"type": "string", "format": "date"}, {"type": "string", "format": "date"}],
            "items": False,
        }
    },
}


def labels(html: str) -> list[str]:
    return re.findall(r'<label[^>]*for="data-plot-\d+"[^>]*>\s*([^<]+?)\s*<', html)


def test_each_fixed_position_is_its_own_question_in_both_dialects(render: Any) -> None:
    for schema in (PLOT_2020, PLOT_07):
        spec = compile_form(schema)
        node = spec.root.child("plot")
        assert [n.label for n in node.prefix_items] == ["Số tờ bản đồ", "Số thửa"]
        assert node.item is not None and node.item.label == "Đồng sở hữu"
        html = render(spec.form())
        # the two fixed positions are there from the start; co-owners are added one by one
        assert labels(html)[:2] == ["Số tờ bản đồ", "Số thửa"]
        assert 'id="data-plot-0"' in html and 'id="data-plot-1"' in html and 'id="data-plot-2"' not in html


def test_fixed_positions_and_added_rows_round_trip_typed(render: Any, post: Any) -> None:
    for schema in (PLOT_2020, PLOT_07):
        spec = compile_form(schema)
        data = {"plot": [12, 345, "Lê Văn Tám", "Phạm Thị Hoa"]}
        assert spec.validate(data) == []
        html = render(spec.form(data=data))
        assert spec.to_json(spec.form(formdata=post(html), data=data)) == data


def test_fixed_positions_cannot_be_removed_and_rows_after_them_can(render: Any) -> None:
    spec = compile_form(PLOT_2020)
    html = render(spec.form(data={"plot": [1, 2, "Lê Văn Tám"]}))
    removes = re.findall(r'name="_action" value="remove:([^"]+)"', html)
    assert removes == ["data-plot-2"]
    assert 'value="add:data-plot"' in html


def test_each_position_is_checked_against_its_own_schema() -> None:
    spec = compile_form(PLOT_2020)
    posted = MultiDict({"data-plot-count": "3", "data-plot-0": "0", "data-plot-1": "7", "data-plot-2": "A"})
    data = spec.to_json(spec.form(formdata=posted))
    assert data == {"plot": [0, 7, "A"]}
    assert [(e.pointer, e.keyword) for e in spec.validate(data)] == [("/plot/0", "minimum"), ("/plot/2", "minLength")]


def test_a_closed_tuple_has_no_add_button_and_ignores_forged_extra_rows(render: Any) -> None:
    spec = compile_form(CLOSED_2020)
    html = render(spec.form())
    assert "add:data-range" not in html
    forged = MultiDict(
        {"data-range-count": "3", "data-range-0": "2026-01-02", "data-range-1": "2026-02-03", "data-range-2": "x"}
    )
    assert spec.to_json(spec.form(formdata=forged)) == {"range": ["2026-01-02", "2026-02-03"]}
