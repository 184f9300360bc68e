"""Access-matrix entries for the plans area (see tests/access/matrix.py)."""

from tests.access.matrix import LOGIN, Entry, learner_page, mentor_page, owned_by_learner_a  # noqa: F401


def _plan(world):
    from roadmap.models import Plan
    from roadmap.models.plans import new_token

    plan, _ = Plan.objects.get_or_create(
        learner=world.learner_a,
        path=world.path,
        defaults={"share_token": new_token(), "calendar_token": new_token()},
    )
    return plan


def _item(world):
    from tests.factories_plans import PlanItemFactory

    return {"item_id": PlanItemFactory(plan=_plan(world)).pk}


def _with_plan(world):
    _plan(world)
    return {}


def post_only() -> Entry:
    """A POST-only action: a GET answers 405 to everyone signed in."""
    return Entry(expect={"anonymous": LOGIN}, others=405)


def item_action() -> Entry:
    """A POST on learner_a's item: they are redirected back to the plan, others get 404."""
    return Entry(
        expect={"anonymous": LOGIN, "learner_a": 302}, others=404, method="POST", kwargs=_item
    )


ENTRIES: dict[str, Entry] = {
    "roadmap:plan": learner_page(),
    "roadmap:plan_generate": post_only(),
    "roadmap:plan_reflow": post_only(),
    "roadmap:plan_item_start": item_action(),
    "roadmap:plan_item_skip": item_action(),
    "roadmap:plan_item_restore": item_action(),  # a planned item: refused with a message, 302
    "roadmap:plan_item_move": item_action(),  # no direction: refused with a message, 302
    # An empty completion form is re-rendered with its errors (400) for the owner.
    "roadmap:plan_item_complete": Entry(
        expect={"anonymous": LOGIN, "learner_a": 400}, others=404, method="POST", kwargs=_item
    ),
    "roadmap:plan_ics": Entry(
        expect={"anonymous": LOGIN, "learner_a": 200}, others=404, kwargs=_with_plan
    ),
    "roadmap:plan_calendar_link": post_only(),
    # Private feed: the token is the key, anyone holding it (calendar apps) may read.
    "roadmap:plan_ics_feed": Entry(
        expect={}, others=200, kwargs=lambda world: {"token": _plan(world).calendar_token}
    ),
    "roadmap:portfolio": learner_page(),
    "roadmap:portfolio_markdown": learner_page(),
    "roadmap:portfolio_link": post_only(),
    "roadmap:portfolio_public": Entry(
        expect={}, others=200, kwargs=lambda world: {"token": _plan(world).share_token}
    ),
}


# --- pace: logged hours and replanning at the logged pace
ENTRIES.update(
    {
        # GET shows the quick add on a page of its own, to the item's owner only.
        "roadmap:plan_item_hours": Entry(
            expect={"anonymous": LOGIN, "learner_a": 200}, others=404, kwargs=_item
        ),
        "roadmap:plan_replan_pace": post_only(),
        "roadmap:export_hours_csv": learner_page(),
    }
)
