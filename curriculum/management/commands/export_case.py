import json
from pathlib import Path as FilePath

from django.core.management.base import BaseCommand, CommandError

from curriculum.case import case_package
from curriculum.models import Path


class Command(BaseCommand):
    help = "Write one path of the curriculum as a 1EdTech CASE 1.1 CFPackage (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the path's slug (e.g. ai-developer)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, path, output=None, **options):
        found = Path.objects.active().prefetch_related("traits").filter(slug=path).first()
        if found is None:
            known = ", ".join(Path.objects.active().values_list("slug", flat=True))
            raise CommandError(f"no active path {path!r} (known: {known or 'none'})")
        text = json.dumps(case_package(found), indent=2, ensure_ascii=False) + "\n"
        if output:
            FilePath(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
