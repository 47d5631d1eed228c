from django.core.management.base import BaseCommand

from shangmi.evidence.log import log_signer


class Command(BaseCommand):
    help = "Create the evidence log's signing key (kept in a file outside the database) and print its public key."

    def handle(self, *args, **options):
        from django.conf import settings

        signer = log_signer()
        self.stdout.write(f"evidence log key file: {settings.SHANGMI_EVIDENCE_KEY_FILE}")
        self.stdout.write(f"evidence log public key: {signer.verifier_key()}")
