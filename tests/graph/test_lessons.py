"""Lessons without a window: the file's "lesson" object round-trips, a damaged one is one
line naming the step, and a lesson run moves on when the awaited action happens."""

from __future__ import annotations

import json

import pytest

from visualgrad.graph import fileformat
from visualgrad.graph.graph import Edge
from visualgrad.graph.lessons import (
    Action,
    Happening,
    Lesson,
    LessonError,
    LessonRun,
    LessonStep,
    action_for,
    check_text,
    from_data,
    missing,
    to_data,
)

from .builders import chain_rule

B_TO_D = Edge("b", "y", "d", "a")
LESSON = Lesson(
    (
        LessonStep("e = (a + b) * (b + 1). Press Next.", None, Action()),
        LessonStep("Step back to b.", "b", Action("step_backward", node="b")),
        LessonStep("What flows along this edge?", B_TO_D, Action("predict", edge=B_TO_D)),
        LessonStep("Now the sum at b.", "b", Action("predict", node="b")),
        LessonStep("Look at c.", "c", Action("inspect", node="c")),
        LessonStep("Train it.", None, Action("train", loss_below=5.5)),
    ),
    "The fan-out sum",
)


def with_lesson(lesson: Lesson = LESSON):
    graph = chain_rule()
    graph.set_lesson(lesson)
    return graph


def test_a_lesson_round_trips_through_the_file():
    text = fileformat.to_json(with_lesson())
    again = fileformat.from_json(text)
    assert again.lesson == LESSON
    assert fileformat.to_json(again) == text
    saved = json.loads(text)["lesson"]
    assert saved["steps"][2] == {
        "text": "What flows along this edge?",
        "highlight": "b.y -> d.a",
        "wait_for": {"action": "predict", "edge": "b.y -> d.a"},
    }
    assert saved["steps"][5]["wait_for"] == {"action": "train", "loss_below": 5.5}


def test_a_file_without_a_lesson_has_none_and_writes_none():
    graph = fileformat.from_json(fileformat.to_json(chain_rule()))
    assert graph.lesson is None
    assert "lesson" not in fileformat.to_json(graph)


def test_a_version_1_file_without_a_lesson_still_loads():
    document = json.loads(fileformat.to_json(chain_rule()))
    document["version"] = 1
    del document["training"]["dtype"]
    assert fileformat.from_json(json.dumps(document)).lesson is None


def damaged(change) -> str:
    document = json.loads(fileformat.to_json(with_lesson()))
    change(document["lesson"])
    with pytest.raises(fileformat.FileFormatError) as error:
        fileformat.from_json(json.dumps(document), "lesson.vgraph")
    message = str(error.value)
    assert "\n" not in message and message.startswith("lesson.vgraph: ")
    return message


def _set(path, value):
    def change(lesson):
        target = lesson
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("steps",), [], "steps must be a list of 1 to 200 steps"),
        (("steps", 1, "wait_for", "action"), "fly", "lesson step 2: action 'fly' is not one of"),
        (("steps", 1, "wait_for", "node"), "no where", "node must be a node's id"),
        (("steps", 2, "highlight"), "b.y => e.a", "neither a node nor an edge"),
        (("steps", 0, "text"), "One. Two. Three. Four.", "4 sentences, at most 3"),
        (("steps", 0, "text"), "", "lesson step 1: the text must be one to three sentences"),
        (("steps", 5, "wait_for", "loss_below"), -1, "loss_below must be a positive number"),
        (("steps", 5, "wait_for", "loss_below"), "low", "loss_below must be a positive number"),
        (("steps", 0, "code"), "import os", "lesson step 1: unknown field 'code'"),
        (("steps", 2, "wait_for", "edge"), "b to d", "edge must be written 'a.y -> b.x'"),
        (("title",), 7, "the title must be text"),
    ],
)
def test_a_damaged_lesson_is_one_line_naming_the_step(path, value, expected):
    assert expected in damaged(_set(path, value))


def test_an_action_without_what_it_needs_or_with_too_much_is_refused():
    assert "needs a node" in damaged(_set(("steps", 1, "wait_for"), {"action": "inspect"}))
    both = {"action": "predict", "node": "b", "edge": "b.y -> d.a"}
    assert "not both" in damaged(_set(("steps", 1, "wait_for"), both))
    extra = {"action": "read", "node": "b"}
    assert "takes no 'node'" in damaged(_set(("steps", 0, "wait_for"), extra))


def test_a_lesson_naming_a_deleted_node_is_kept_and_says_what_is_gone():
    graph = with_lesson()
    graph.remove_node("c")
    again = fileformat.from_json(fileformat.to_json(graph))
    assert again.lesson == LESSON
    assert missing(LESSON.steps[4], again) == ["the node 'c'"]
    assert missing(LESSON.steps[2], again) == []
    gone_edge = LessonStep("Look.", Edge("c", "y", "e", "a"), Action("predict", node="c"))
    assert missing(gone_edge, again) == ["the edge c.y -> e.a", "the node 'c'"]


def test_text_is_one_to_three_sentences():
    assert check_text("  x = 0.5 here. Then y.  ") == "x = 0.5 here. Then y."
    with pytest.raises(LessonError):
        check_text("A. B? C! D.")


def test_a_run_moves_on_when_the_awaited_action_happens():
    run = LessonRun(LESSON)
    assert run.progress() == "Step 1 of 6"
    assert not run.note(Happening("step_backward", node="b"))  # step 1 waits for Next
    run.go(1)
    assert 1 in run.done  # it already happened: the step says so
    run.go(0)
    run.go(1)
    assert run.index == 1
    run.pass_reset()
    run.done.clear()
    run.go(1)
    assert 1 not in run.done
    assert not run.note(Happening("step_backward", node="a"))
    assert run.note(Happening("step_backward", node="b")) and run.index == 2
    assert not run.note(Happening("predict", node="b", edge=Edge("b", "y", "c", "b")))
    assert run.note(Happening("predict", edge=B_TO_D)) and run.index == 3
    assert run.note(Happening("predict", node="b")) and run.index == 4
    assert run.note(Happening("inspect", node="c")) and run.index == 5
    assert not run.note(Happening("train", loss=5.9))
    assert not run.finished
    assert run.note(Happening("train", loss=5.2))
    assert run.finished and run.index == 5 and run.done == {1, 2, 3, 4, 5}


def test_only_the_node_shown_in_the_inspector_now_counts():
    lesson = Lesson((LessonStep("Read."), LessonStep("Look.", "c", Action("inspect", node="c"))))
    run = LessonRun(lesson)
    run.note(Happening("inspect", node="c"))
    run.note(Happening("inspect", node="d"))
    run.go(1)
    assert 1 not in run.done


def test_recording_turns_what_happened_into_the_action_that_waits_for_it():
    assert action_for(Happening("step_backward", node="b")) == Action("step_backward", "b")
    assert action_for(Happening("predict", edge=B_TO_D)) == Action("predict", edge=B_TO_D)
    assert action_for(Happening("train", loss=0.0734)) == Action("train", loss_below=0.074)
    assert action_for(Happening("train", loss=4.0)) == Action("train", loss_below=4.1)
    assert Action("train", loss_below=0.074).met_by(Happening("train", loss=0.0734))


def test_actions_describe_themselves_as_the_panel_says_them():
    assert Action("step_backward", "b").describe() == "step backward to b"
    assert Action("predict", "b").describe() == "predict dL/db"
    assert Action("train", loss_below=0.1).describe() == "train until the loss is below 0.1"
    assert Action("inspect", "hidden").describe() == "open the inspector on hidden"


def test_inserting_and_removing_steps_leaves_the_lesson_it_came_from():
    step = LessonStep("New.", "a", Action("step_forward", "a"))
    longer = LESSON.inserted(step, 1)
    assert longer.steps[1] == step and len(LESSON.steps) == 6
    assert longer.removed(1) == LESSON
    assert from_data(to_data(longer)) == longer


def test_the_pass_and_the_predictions_become_happenings():
    from visualgrad.graph.execute import Program
    from visualgrad.graph.lessons import predicted, stepped
    from visualgrad.graph.predict import question_for
    from visualgrad.graph.steps import build_steps

    graph = chain_rule()
    program = Program(graph, "simple")
    trace = program.trace({})
    steps, forward_count = build_steps(graph, trace, program.loss_node)
    happenings = [stepped(s) for s in steps]
    assert happenings[0] == Happening("step_forward", "a")
    assert Happening("step_backward", "b", B_TO_D) in happenings
    assert Happening("step_backward", "loss") in happenings
    asked = {}
    for s in steps:
        q = question_for(graph, trace, s)
        if q is not None:
            asked[(q.kind, q.label, q.edge)] = predicted(graph, q)
    assert asked[("sum", "dL/db", None)] == Happening("predict", "b")
    assert asked[("edge", "dL/db", B_TO_D)] == Happening("predict", None, B_TO_D)
    c_to_e = Edge("c", "y", "e", "a")
    assert asked[("edge", "dL/dc", c_to_e)] == Happening("predict", "c", c_to_e)
    assert asked[("value", "c", None)] == Happening("predict_value", "c")
    assert Action("predict", "c").met_by(asked[("edge", "dL/dc", c_to_e)])
    assert not Action("predict", "b").met_by(asked[("edge", "dL/db", B_TO_D)])
