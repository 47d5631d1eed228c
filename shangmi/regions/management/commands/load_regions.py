from django.core.management.base import BaseCommand

from shangmi.regions.services import regions_load


class Command(BaseCommand):
    help = "Load the GB/T 2260 administrative divisions that ship with the platform."

    def handle(self, *args: object, **options: object) -> None:
        changed = regions_load()
        self.stdout.write(f"regions: {changed} created or updated")
