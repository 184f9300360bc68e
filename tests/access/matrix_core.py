from tests.access.matrix import LOGIN, Entry, public_page, signed_in_page

ENTRIES = {
    "home": Entry(
        expect={
            "anonymous": 200,
            "learner_a": 302,
            "learner_b": 302,
            "mentor_x": 302,
            "mentor_y": 302,
            "staff": 302,
            "superuser": 302,
        }
    ),
    "accounts:signup": Entry(expect={"anonymous": 200}, others=302),
    "accounts:login": Entry(expect={"anonymous": 200}, others=302),
    # Log-out is POST only: a GET answers 405 Method Not Allowed for everyone.
    "accounts:logout": Entry(expect={}, others=405),
    "roadmap:profile": signed_in_page(),
    "accounts:password_change": signed_in_page(),
    "accounts:password_change_done": signed_in_page(),
    "accounts:password_reset": public_page(),
    "accounts:password_reset_done": public_page(),
    "accounts:password_reset_confirm": Entry(
        expect={}, others=200, kwargs=lambda world: {"uidb64": "MQ", "token": "bad-token"}
    ),
    "accounts:password_reset_complete": public_page(),
    "curriculum:path_list": signed_in_page(),
    "curriculum:path_detail": Entry(
        expect={"anonymous": LOGIN}, others=200, kwargs=lambda world: {"slug": world.path.slug}
    ),
    "roadmap:project_detail": Entry(
        expect={"anonymous": LOGIN},
        others=200,
        kwargs=lambda world: {"slug": _project(world).slug},
    ),
    # Every signed-in user may mark a resource of the curriculum as studied (their own mark);
    # the matrix posts without a body, which marks it and redirects back to the gaps page.
    "roadmap:resource_studied": Entry(
        expect={"anonymous": LOGIN},
        others=302,
        method="POST",
        kwargs=lambda world: {"resource_id": _resource(world).pk},
    ),
    # Staff without accounts.view_all_cohorts are not mentors: 404.
    "roadmap:mentor_home": Entry(
        expect={"anonymous": LOGIN, "learner_a": 404, "learner_b": 404, "staff": 404}, others=200
    ),
}


def _resource(world):
    from tests.factories import ResourceFactory

    return ResourceFactory(competency=world.path.path_competencies.first().competency)


def _project(world):
    from tests.factories import ProjectFactory

    return ProjectFactory(path=world.path)
