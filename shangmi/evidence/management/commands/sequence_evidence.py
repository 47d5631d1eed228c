import time

from django.core.management.base import BaseCommand

from shangmi.evidence.log import checkpoints_timestamp_missing, log_sequence_all


class Command(BaseCommand):
    help = "Sequence pending deposits into the log and publish signed checkpoints."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep sequencing until interrupted")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between runs with --loop")

    def handle(self, *args, **options):
        while True:
            checkpoints = log_sequence_all()
            checkpoints_timestamp_missing()
            for checkpoint in checkpoints:
                self.stdout.write(f"checkpoint {checkpoint.size}")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
