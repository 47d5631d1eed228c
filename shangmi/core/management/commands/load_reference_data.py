from django.core.management.base import BaseCommand

from shangmi.enterprises.tags import tags_load
from shangmi.regions.services import regions_load


class Command(BaseCommand):
    help = "Load the data every installation needs: GB/T 2260 regions and the program's enterprise tags."

    def handle(self, *args: object, **options: object) -> None:
        regions = regions_load()
        tags = tags_load()
        self.stdout.write(f"reference data: {regions} regions and {tags} tags created or updated")
