from django.core.management.base import BaseCommand, CommandError

from shangmi.core.errors import AppError
from shangmi.evidence.log import log_signer, signer_adopt, signer_memory


class Command(BaseCommand):
    help = (
        "Create the evidence log's signing key (kept in a file outside the database) and print its public key. "
        "With --adopt, a signer that remembers nothing (an install from before it kept its memory beside the "
        "key) takes the stored log as it stands, after checking every checkpoint and root."
    )

    def add_arguments(self, parser):
        parser.add_argument("--adopt", action="store_true", help="remember the stored log (trust on first use)")

    def handle(self, *args, **options):
        from django.conf import settings

        signer = log_signer()
        self.stdout.write(f"evidence log key file: {settings.SHANGMI_EVIDENCE_KEY_FILE}")
        self.stdout.write(f"evidence log public key: {signer.verifier_key()}")
        if options["adopt"]:
            try:
                memory = signer_adopt()
            except AppError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"signer adopted the log: {memory.size} entries, {memory.checkpoints} checkpoints")
        elif memory := signer_memory():
            self.stdout.write(f"signer remembers {memory.size} entries, {memory.checkpoints} checkpoints")
