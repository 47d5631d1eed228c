import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shangmi.demo.scale import scale_data_generate


class Command(BaseCommand):
    help = (
        "Generate a synthetic province-scale registry: N enterprises spread over the province's districts, "
        "with parks, tags and liaison points. Tops up to N if some are already there; never duplicates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, required=True, help="how many generated enterprises to hold")
        parser.add_argument("--province", default="500000", help="division code of the province (default 重庆 500000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        verbose = int(options["verbosity"]) > 1

        def progress(done: int, total: int) -> None:
            if verbose:
                self.stdout.write(f"  {done:,} / {total:,}")

        try:
            result = scale_data_generate(
                enterprises=options["enterprises"],
                province=options["province"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"province {result.province}: {result.existing:,} generated enterprises were there, "
            f"{result.created:,} created ({result.tags_created:,} tag links, {result.parks_created} parks) "
            f"over {result.districts} districts in {elapsed:.1f} s; {result.total:,} in all"
        )
