from django.core.management.base import BaseCommand, CommandError

from shangmi.evidence.audit import audit_log


class Command(BaseCommand):
    help = "Recompute the evidence log from storage and check it against every checkpoint ever published."

    def handle(self, *args, **options):
        result = audit_log()
        for problem in result.problems:
            self.stdout.write(f"PROBLEM {problem}")
        if not result.ok:
            raise CommandError(f"evidence log audit failed: {len(result.problems)} problem(s) / 日志审计发现问题")
        self.stdout.write(
            f"evidence log intact: {result.size} entries, {result.checkpoints} checkpoints verified / 日志完整"
        )
