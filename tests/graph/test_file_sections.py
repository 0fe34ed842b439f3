"""The table of a .vgraph's optional sections: every one is written, read back and rewritten
to the same bytes, and a file without them loads as a graph with none."""

from __future__ import annotations

import json

from tests.graph.test_file_sections_fuzz import full_document
from visualgrad.graph import file_sections, fileformat


def test_every_section_in_the_table_round_trips_to_the_same_bytes():
    text = json.dumps(full_document())
    graph = fileformat.from_json(text)
    saved = fileformat.to_json(graph)
    assert fileformat.to_json(fileformat.from_json(saved)) == saved
    document = json.loads(saved)
    assert [k for k in document if k in file_sections.KEYS] == list(file_sections.KEYS)
    assert json.loads(text) == document  # nothing lost or changed on the way


def test_a_graph_with_no_sections_writes_none_of_their_keys():
    document = full_document()
    for key in file_sections.KEYS:
        del document[key]
    graph = fileformat.from_json(json.dumps(document))
    assert graph.data is None and graph.runs == () and graph.lesson is None
    assert not graph.hand_edits and len(graph.groups) == 0 and len(graph.annotations) == 0
    assert not set(json.loads(fileformat.to_json(graph))) & set(file_sections.KEYS)
