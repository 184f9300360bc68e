import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from curriculum.checks import curriculum_problems
from curriculum.curriculum_file import CurriculumError, read_curriculum_file
from curriculum.services import curriculum_export


class Command(BaseCommand):
    help = (
        "Check the curriculum (the database, or a file with --file): targets the path's projects "
        "cannot reach, build claims at level 3 or above without an evidencing checkpoint or "
        "without a lower step, competencies and projects with too few resources, and resources "
        "not checked for 90 days. Exits with status 1 when there are errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="check this curriculum YAML file instead")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="the date to check staleness against"
        )

    def handle(self, *args, file=None, today=None, **options):
        if file:
            try:
                text = Path(file).read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from None
            source = Path(file).name
        else:
            text, source = curriculum_export(), "database"
        try:
            data = read_curriculum_file(text, source)
        except CurriculumError as exc:
            raise CommandError(f"{source} is not a valid curriculum:\n{exc}") from None
        problems = curriculum_problems(data, today=today or timezone.localdate())
        errors = [p for p in problems if p.severity == "error"]
        for problem in problems:
            style = self.style.ERROR if problem.severity == "error" else self.style.WARNING
            self.stdout.write(style(str(problem)))
        warnings = len(problems) - len(errors)
        summary = f"{source}: {len(errors)} errors, {warnings} warnings"
        if errors:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
