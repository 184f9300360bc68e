from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curriculum.curriculum_file import CurriculumError
from curriculum.services import curriculum_import


class Command(BaseCommand):
    help = (
        "Load a curriculum YAML file (e.g. curriculum/default_curriculum.yaml). Prints what "
        "changes: paths, competencies, projects, descriptors, checkpoints, career goals, traits "
        "and path competencies added, changed, retired or deleted, and how many learners' "
        "readiness moves. Validates the whole file first and changes nothing if any part is "
        "wrong. Paths, projects and career goals the file does not list are kept unless "
        "--retire-missing is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the curriculum YAML file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print what the import would change, and change nothing",
        )
        parser.add_argument(
            "--retire-missing",
            action="store_true",
            help="deactivate paths and projects, and delete career goals, that the file does "
            "not list (without it they are kept and listed)",
        )

    def handle(self, *args, file, dry_run=False, retire_missing=False, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from None
        try:
            diff = curriculum_import(
                data_text=text,
                source_name=path.name,
                retire_missing=retire_missing,
                dry_run=dry_run,
            )
        except CurriculumError as exc:
            raise CommandError(f"{file} was not imported; nothing changed.\n{exc}") from None
        if dry_run:
            self.stdout.write(f"Dry run of {file}: nothing was changed. An import would do this:")
        elif diff.has_changes:
            self.stdout.write(self.style.SUCCESS(f"Imported {file}:"))
        else:
            self.stdout.write(f"Imported {file}: already up to date, no changes.")
        for line in diff.lines():
            self.stdout.write(line)
