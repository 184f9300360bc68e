from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curriculum.curriculum_file import CurriculumError
from curriculum.services import curriculum_import


class Command(BaseCommand):
    help = (
        "Load a curriculum YAML file (e.g. curriculum/default_curriculum.yaml). Idempotent; "
        "validates the whole file first and changes nothing if any part is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the curriculum YAML file")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from None
        try:
            report = curriculum_import(data_text=text, source_name=path.name)
        except CurriculumError as exc:
            raise CommandError(f"{file} was not imported; nothing changed.\n{exc}") from None
        if report.changes:
            self.stdout.write(self.style.SUCCESS(f"Imported {file}: {report.summary()}"))
        else:
            self.stdout.write(f"Imported {file}: already up to date, no changes.")
