from pathlib import Path

from django.core.management.base import BaseCommand

from curriculum.services import curriculum_export


class Command(BaseCommand):
    help = "Write the curriculum in the import_curriculum YAML format (to stdout by default)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")

    def handle(self, *args, output=None, **options):
        text = curriculum_export()
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote the curriculum to {output}")
        else:
            self.stdout.write(text, ending="")
