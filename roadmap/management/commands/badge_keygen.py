import json

from django.core.management.base import BaseCommand

from roadmap.services.credentials import key_new


class Command(BaseCommand):
    help = (
        "Print a new Ed25519 signing key (a private JWK) for BADGE_SIGNING_KEYS. To rotate, put "
        "it first in the list and keep the old keys after it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kid", required=True, help="the key's id, e.g. 2026-12")

    def handle(self, *args, kid, **options):
        self.stdout.write(json.dumps(key_new(kid)))
