from django.core.management.base import BaseCommand

from shangmi.demo.creation import demo_creation_load
from shangmi.demo.data import DEMO_PASSWORD, demo_load
from shangmi.demo.enforcement import demo_enforcement_load
from shangmi.demo.evidence import demo_deposits_load
from shangmi.demo.experts import demo_experts_load
from shangmi.demo.knowledge import demo_knowledge_load
from shangmi.demo.plans import demo_plans_load
from shangmi.demo.protection import demo_protection_load


class Command(BaseCommand):
    help = "Load the demo places, parks, enterprises and one account of every role; print the logins."

    def handle(self, *args: object, **options: object) -> None:
        logins = demo_load()
        demo_deposits_load()
        logins += demo_creation_load()
        demo_experts_load()
        demo_enforcement_load()
        demo_protection_load()
        logins += demo_plans_load()
        demo_knowledge_load()
        self.stdout.write("")
        self.stdout.write(f"Demo logins / 演示账号 (password / 密码: {DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:<20} {login.role:<28} {login.bound_to}")
        self.stdout.write("")
