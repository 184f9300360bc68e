"""Time the cohort dashboard at 500 learners x 40 competencies (run once; not a test).

    .venv/bin/python scripts/measure_cohort_dashboard.py

Builds a throwaway SQLite database in var/, 500 learners with 3 self-ratings per competency
(spread over 10 weeks), then renders the page, the htmx heatmap and the CSV with Django's test
client and prints wall time and query counts."""

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap.settings")
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'measure.sqlite3'}"
(ROOT / "var").mkdir(exist_ok=True)
(ROOT / "var" / "measure.sqlite3").unlink(missing_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

call_command("migrate", verbosity=0)

from accounts.models import Cohort, CohortMembership, User  # noqa: E402
from curriculum.models import Competency, PathCompetency  # noqa: E402
from curriculum.models import Path as CPath  # noqa: E402
from roadmap.models import Rating  # noqa: E402
from roadmap.services.assessments import current_ratings_rebuild  # noqa: E402

LEARNERS, COMPETENCIES = int(os.environ.get("LEARNERS", 500)), int(os.environ.get("COMPS", 40))
rng = random.Random(1)
path = CPath.objects.create(slug="p", name="P", summary="s", best_fit_when="b")
comps = Competency.objects.bulk_create(
    [Competency(slug=f"c{i}", name=f"Competency {i}") for i in range(COMPETENCIES)]
)
PathCompetency.objects.bulk_create(
    [
        PathCompetency(path=path, competency=c, target_level=3, position=i)
        for i, c in enumerate(comps)
    ]
)
mentor = User.objects.create_user("m@example.com", "pw", role=User.Role.MENTOR)
cohort = Cohort.objects.create(name="Big", path=path, start_date=dt.date.today())
cohort.mentors.add(mentor)
now = timezone.now()
learners = User.objects.bulk_create(
    [
        User(
            email=f"l{i}@example.com",
            full_name=f"Learner {i:03d}",
            password="!",
            last_activity_at=now - dt.timedelta(days=rng.randint(0, 30)),
        )
        for i in range(LEARNERS)
    ]
)
CohortMembership.objects.bulk_create([CohortMembership(cohort=cohort, learner=u) for u in learners])
ratings = [
    Rating(
        learner=u,
        competency=c,
        level=rng.randint(0, 4),
        created_at=now - dt.timedelta(days=rng.randint(0, 70), minutes=rng.randint(0, 999)),
    )
    for u in learners
    for c in comps
    for _ in range(3)
]
Rating.objects.bulk_create(ratings, batch_size=5000)
current_ratings_rebuild(learner_ids=[u.pk for u in learners])
print(f"{LEARNERS} learners x {COMPETENCIES} competencies, {len(ratings)} ratings")

client = Client()
client.force_login(mentor)
for label, url, headers in [
    ("page", f"/mentor/cohorts/{cohort.pk}/", {}),
    ("htmx sort", f"/mentor/cohorts/{cohort.pk}/?sort=c{comps[5].pk}", {"HX-Request": "true"}),
    ("csv", f"/mentor/cohorts/{cohort.pk}/export.csv", {}),
    ("mentor home", "/mentor/", {}),
]:
    times = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    print(
        f"{label:12} best {min(times):.2f}s of 3, {len(ctx.captured_queries)} queries, "
        f"{len(response.content) / 1024:.0f} KiB"
    )
