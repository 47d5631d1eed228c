import time

from django.core.management.base import BaseCommand, CommandError

from shangmi.evidence.log import LogCorruptionError, checkpoints_timestamp_missing, log_sequence_all


class Command(BaseCommand):
    help = "Sequence pending deposits into the log and publish signed checkpoints."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep sequencing until interrupted")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between runs with --loop")

    def handle(self, *args, **options):
        while True:
            try:
                checkpoints = log_sequence_all()
            except LogCorruptionError as exc:
                # The signer refused (and logged the alarm): storage was changed behind its back.
                # Stop, even with --loop: nothing will be signed until someone looks.
                raise CommandError(f"{exc.code}: {exc}") from exc
            checkpoints_timestamp_missing()
            for checkpoint in checkpoints:
                self.stdout.write(f"checkpoint {checkpoint.size}")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
