from pathlib import Path as FilePath

from django.core.management.base import BaseCommand, CommandError

from curriculum.case import case_import
from curriculum.curriculum_file import CurriculumError


class Command(BaseCommand):
    help = (
        "Load a 1EdTech CASE 1.1 CFPackage (JSON) as a new path. Validates everything first and "
        "changes nothing if any part is wrong; --dry-run only reports what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CFPackage JSON file")
        parser.add_argument("--slug", help="slug for the new path (default: from the package)")
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")

    def handle(self, *args, file, slug=None, dry_run=False, **options):
        source = FilePath(file)
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        try:
            result = case_import(
                package_text=text, source_name=source.name, slug=slug, dry_run=dry_run
            )
        except CurriculumError as exc:
            raise CommandError(f"{file} was not imported; nothing changed.\n{exc}") from None
        self.stdout.write(self.style.SUCCESS(f"{file}: {result.summary()}"))
