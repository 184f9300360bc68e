"""The "which path fits me?" scoring, without the database."""

from hypothesis import given
from hypothesis import strategies as st

from roadmap.lib.onboarding import QUESTIONS, Goal, recommend_path

ALL = ["ai-developer", "ai-engineer", "ml-engineer", "software-engineer"]
STUDENT = Goal("student", "I am a student", "ai-developer", "Build visible projects first.")
RELIABLE = Goal("reliable", "I want reliable systems", "ai-engineer", "Focus on evaluation.")


def test_goal_alone_decides_and_its_reason_is_given():
    result = recommend_path(goal=RELIABLE, answers={}, available=ALL)
    assert result.path_slug == "ai-engineer"
    assert result.reason == "Focus on evaluation."


def test_student_who_wants_to_ship_gets_ai_developer():
    result = recommend_path(
        goal=STUDENT, answers={"excites": "shipping", "background": "student"}, available=ALL
    )
    assert result.path_slug == "ai-developer"
    assert result.reason == STUDENT.reason


def test_answers_can_outweigh_the_goal_and_explain_why():
    result = recommend_path(
        goal=STUDENT,
        answers={"excites": "reliability", "background": "engineer", "learning": "systems"},
        available=ALL,
    )
    assert result.path_slug == "ai-engineer"
    assert "reliable AI systems" in result.reason and "engineering depth" in result.reason


def test_no_answers_falls_back_to_ai_developer_as_the_source_advises():
    result = recommend_path(goal=None, answers={}, available=ALL)
    assert result.path_slug == "ai-developer"
    assert "beginners" in result.reason


def test_tie_goes_to_the_goals_path_then_to_ai_developer():
    # goal +3 engineer; shipping +2 and projects +1 developer: 3 against 3.
    answers = {"excites": "shipping", "learning": "projects"}
    result = recommend_path(goal=RELIABLE, answers=answers, available=ALL)
    assert result.scores["ai-developer"] == result.scores["ai-engineer"] == 3
    assert result.path_slug == "ai-engineer"
    # Without a goal, a tie (developer background: +1 each) goes to AI Developer.
    tie = recommend_path(goal=None, answers={"background": "developer"}, available=ALL)
    assert tie.scores["ai-developer"] == tie.scores["ai-engineer"] == 1
    assert tie.path_slug == "ai-developer"
    reordered = recommend_path(
        goal=None, answers={"background": "developer"}, available=list(reversed(ALL))
    )
    assert reordered.path_slug == "ai-developer"


def test_only_available_paths_are_recommended():
    result = recommend_path(goal=STUDENT, answers={"excites": "models"}, available=["ai-engineer"])
    assert result.path_slug == "ai-engineer"
    assert recommend_path(goal=None, answers={}, available=[]) is None


def test_unknown_answers_are_ignored():
    result = recommend_path(
        goal=None, answers={"excites": "<script>", "nonsense": "x"}, available=ALL
    )
    assert result.path_slug == "ai-developer"


answer_maps = st.fixed_dictionaries(
    {},
    optional={
        q.key: st.sampled_from([o.value for o in q.options] + ["", "junk"]) for q in QUESTIONS
    },
)


@given(
    answers=answer_maps,
    goal=st.sampled_from([None, STUDENT, RELIABLE]),
    available=st.lists(st.sampled_from(ALL), min_size=1, unique=True),
)
def test_recommendation_is_always_an_available_path_with_the_top_score(answers, goal, available):
    result = recommend_path(goal=goal, answers=answers, available=available)
    assert result.path_slug in available
    assert result.scores[result.path_slug] == max(result.scores.values())
