from django.core.management.base import BaseCommand

from shangmi.enforcement.rules import rules_load
from shangmi.enforcement.workdays import calendars_load
from shangmi.enterprises.tags import tags_load
from shangmi.knowledge.loading import knowledge_load
from shangmi.plans.loading import plans_load
from shangmi.protection.rules import RULES_FILE as PROTECTION_RULES
from shangmi.regions.services import regions_load
from shangmi.standards.services import UNCHANGED, standards_load
from shangmi.surveys.loading import questionnaires_load


class Command(BaseCommand):
    help = (
        "Load the data every installation needs: GB/T 2260 regions, the program's enterprise tags, the standards "
        "the baseline survey questionnaire, the working-day calendars, the enforcement rules and the labour-law "
        "bounds of the protection system."
    )

    def handle(self, *args: object, **options: object) -> None:
        regions = regions_load()
        tags = tags_load()
        standards = [result for result in standards_load() if result.status != UNCHANGED]
        questionnaires = [result for result in questionnaires_load() if result.status != "unchanged"]
        calendars = calendars_load()
        # The labour-law bounds the protection system checks non-competes against, with their sources.
        rules = rules_load() + rules_load(PROTECTION_RULES)
        plans = plans_load()
        knowledge = knowledge_load()
        self.stdout.write(
            f"reference data: {regions} regions, {tags} tags, {len(standards)} standards and "
            f"{len(questionnaires)} questionnaires created or updated, {len(calendars)} calendar years and "
            f"{len(rules)} legal rules and {len(plans)} plans loaded"
        )
        self.stdout.write(f"knowledge: {len(knowledge)} laws and country guides loaded")
