from django.core.management.base import BaseCommand

from curriculum.links import DEFAULT_TIMEOUT, DEFAULT_WORKERS, resource_links_check


class Command(BaseCommand):
    help = (
        "Fetch every resource URL (HEAD, then GET; redirects followed) and record its status "
        "and the time. Broken links show in admin under Resources, filter 'link check'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds")
        parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
        parser.add_argument("--cafile", help="extra certificate authorities to trust")

    def handle(self, *args, timeout, workers, cafile=None, **options):
        report = resource_links_check(timeout=timeout, workers=workers, cafile=cafile)
        for url, status in sorted(report.broken.items()):
            self.stdout.write(self.style.WARNING(f"broken ({status or 'no answer'}): {url}"))
        self.stdout.write(report.summary())
