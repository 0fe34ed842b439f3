"""Frames and notes: kept by the graph, announced when they change, saved in the file's
optional "frames" and "notes" sections, and a damaged entry is a one-line error."""

from __future__ import annotations

import json

import pytest

from visualgrad.graph import fileformat
from visualgrad.graph.annotations import AnnotationError, Frame, Note
from visualgrad.graph.fileformat import FileFormatError

from .builders import chain_rule


def annotated():
    graph = chain_rule()
    graph.annotations.put(Frame("frame_1", "the sum c", "#5b8def", (-20.0, -40.0, 400.0, 260.0)))
    graph.annotations.put(Note("note_1", "c = a + b\nthen e = c · d", (500.0, -80.0), 240.0))
    return graph


def test_frames_and_notes_round_trip_byte_for_byte(tmp_path):
    graph = annotated()
    path = tmp_path / "g.vgraph"
    fileformat.save(graph, path, "with notes")
    loaded, description = fileformat.load_with_description(path)
    assert description == "with notes"
    assert loaded.annotations.frames == graph.annotations.frames
    assert loaded.annotations.notes == graph.annotations.notes
    assert fileformat.to_json(loaded, "with notes") == path.read_text(encoding="utf-8")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["version"] == 2
    assert document["frames"] == [
        {"id": "frame_1", "title": "the sum c", "colour": "#5b8def", "rect": [-20, -40, 400, 260]}
    ]
    assert document["notes"][0]["text"] == "c = a + b\nthen e = c · d"


def test_a_file_without_the_sections_has_no_annotations_and_writes_none():
    graph = chain_rule()
    text = fileformat.to_json(graph)
    assert '"frames"' not in text and '"notes"' not in text
    assert len(fileformat.from_json(text).annotations) == 0


def test_a_note_without_a_width_gets_the_usual_one():
    document = json.loads(fileformat.to_json(chain_rule()))
    document["notes"] = [{"id": "n", "text": "hi", "position": [0, 0]}]
    (note,) = fileformat.from_json(json.dumps(document)).annotations.notes
    assert note.width == 220.0 and note.position == (0, 0)


@pytest.mark.parametrize(
    ("section", "entries", "expected"),
    [
        ("frames", {"id": "f"}, "frames must be a list"),
        ("frames", [7], r"frames\[0\] must be an object"),
        ("frames", [{"id": "f", "title": "t", "colour": "#123456"}], r"frames\[0\]: missing rect"),
        ("frames", [{"id": "f", "title": "t", "colour": "red", "rect": [0, 0, 1, 1]}], "#rrggbb"),
        ("frames", [{"id": "f", "title": "t", "colour": "#123456", "rect": [0, 0, 0, 1]}], "> 0"),
        ("frames", [{"id": "f", "title": 3, "colour": "#123456", "rect": [0, 0, 1, 1]}], "text"),
        ("frames", [{"id": "f", "title": "t", "colour": "#123456", "rect": [0, 0, 1]}], "4 finite"),
        ("frames", [{"id": "1f", "title": "t", "colour": "#123456", "rect": [0, 0, 1, 1]}], "id"),
        ("notes", [{"id": "n", "text": "t", "position": [0, 1e300]}], "2 finite numbers"),
        ("notes", [{"id": "n", "text": "t", "position": [True, 0]}], "2 finite numbers"),
        (
            "notes",
            [{"id": "n", "text": "t", "position": [0, 0], "size": 3}],
            "unknown field 'size'",
        ),
        ("notes", [{"id": "n", "text": "t", "position": [0, 0], "width": -5}], "width must be > 0"),
    ],
)
def test_a_damaged_entry_is_a_one_line_error_that_names_it(section, entries, expected):
    document = json.loads(fileformat.to_json(chain_rule()))
    document[section] = entries
    with pytest.raises(FileFormatError, match=expected) as caught:
        fileformat.from_json(json.dumps(document), "bad.vgraph")
    assert "\n" not in str(caught.value) and str(caught.value).startswith("bad.vgraph")


def test_two_entries_with_one_id_are_refused():
    document = json.loads(fileformat.to_json(annotated()))
    document["notes"][0]["id"] = "frame_1"
    with pytest.raises(FileFormatError, match="two frames or notes are called 'frame_1'"):
        fileformat.from_json(json.dumps(document))


def test_put_and_take_announce_the_id_and_a_same_put_says_nothing():
    graph = annotated()
    heard = []
    graph.events.annotations_changed.connect(heard.append)
    frame = graph.annotations.get("frame_1")
    graph.annotations.put(frame)
    assert heard == []
    old = graph.annotations.put(frame.moved(10.0, 5.0))
    assert old == frame and graph.annotations.get("frame_1").rect[:2] == (-10.0, -35.0)
    assert graph.annotations.take("note_1").text.startswith("c = a + b")
    assert heard == ["frame_1", "note_1"]
    assert graph.annotations.fresh_id("note") == "note_1"
    assert graph.annotations.fresh_id("frame") == "frame_2"
    with pytest.raises(AnnotationError, match="no frame or note called 'note_1'"):
        graph.annotations.take("note_1")
    with pytest.raises(AnnotationError, match="already a frame"):
        graph.annotations.put(Note("frame_1", "x", (0.0, 0.0)))


def test_a_frame_contains_the_boxes_inside_it():
    frame = Frame("f", "", "#000000", (0.0, 0.0, 100.0, 100.0))
    assert frame.contains((10.0, 10.0, 50.0, 50.0))
    assert not frame.contains((60.0, 10.0, 50.0, 50.0))


def test_annotations_are_not_structural_changes():
    graph = chain_rule()
    assert graph.events.annotations_changed not in graph.events.structural()
