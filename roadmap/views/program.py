"""The program view: every cohort side by side for staff who run the program, with a CSV of the
same lines; each cohort drills down to its dashboard (views/cohorts).

Access: program_staff_required (the accounts.view_all_cohorts permission, or a superuser);
mentors, learners and other staff get 404, as on the mentor pages."""

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import program_staff_required
from roadmap.lib.csv_export import csv_lines
from roadmap.services.program import CHANGE_WEEKS, program_overview


@program_staff_required
@require_GET
def program(request):
    overview = program_overview()
    return render(
        request,
        "roadmap/mentoring/program.html",
        {"program": overview, "weeks": CHANGE_WEEKS},
    )


CSV_HEADER = [
    "cohort",
    "path",
    "start date",
    "mentors",
    "members",
    "median readiness",
    f"change in {CHANGE_WEEKS} weeks",
    "behind plan",
    "behind plan %",
    "top gap",
    "top gap: learners below target",
]


def _csv_rows(overview):
    for line in overview.cohorts:
        f = line.figures
        yield [
            line.cohort.name,
            line.cohort.path.name,
            line.cohort.start_date.isoformat(),
            "; ".join(line.mentors),
            f.members,
            "" if f.median_readiness is None else f.median_readiness,
            "" if f.median_change is None else f.median_change,
            f.behind,
            "" if f.behind_percent is None else f.behind_percent,
            line.top_gap_name or "",
            f.top_gap.lacking if f.top_gap else "",
        ]


@program_staff_required
@require_GET
def program_csv(request):
    overview = program_overview()
    response = StreamingHttpResponse(
        csv_lines(CSV_HEADER, _csv_rows(overview)), content_type="text/csv; charset=utf-8"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="program-{day}.csv"'
    return response
