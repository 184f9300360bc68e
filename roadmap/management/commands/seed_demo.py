"""Create the demo users, cohorts and ten weeks of assessment history (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from roadmap.services.demo import DEMO_PASSWORD, DemoDataError, demo_seed, demo_wipe


class Command(BaseCommand):
    help = (
        "Seed demo data: one admin, two mentors, two cohorts and 24 learners with ten weeks of "
        f"self-assessment history. Every demo password is {DEMO_PASSWORD!r}. Needs the "
        "curriculum (manage.py import_curriculum curriculum/default_curriculum.yaml)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo users and cohorts first, then create them afresh.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (creates a superuser with a published password).",
        )

    def handle(self, *args, reset=False, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            # The demo superuser's password is public: never create it on a live site by accident.
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo accounts have a published "
                "password. Pass --allow-production if you really mean it."
            )
        if reset:
            wiped = demo_wipe()
            self.stdout.write(f"Removed {wiped} demo users and their data.")
        try:
            report = demo_seed()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if report.users_created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {report.users_created} users, {report.cohorts_created} cohorts, "
                    f"{report.memberships_created} memberships, {report.ratings_created} ratings, "
                    f"{report.plans_created} plans."
                )
            )
        else:
            self.stdout.write("Demo data already present; nothing created (use --reset to redo).")
        width = max(len(email) for _, email, _ in report.logins)
        self.stdout.write("")
        self.stdout.write(f"{'Role':<8}  {'E-mail':<{width}}  Password")
        self.stdout.write(f"{'-' * 8}  {'-' * width}  {'-' * len(DEMO_PASSWORD)}")
        for role, email, password in report.logins:
            self.stdout.write(f"{role:<8}  {email:<{width}}  {password}")
        self.stdout.write("")
        self.stdout.write(
            f"Log in at {settings.SITE_URL}{reverse('accounts:login')} "
            f"(every demo account's password is {DEMO_PASSWORD})."
        )
