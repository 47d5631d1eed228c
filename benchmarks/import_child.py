"""Child process of the import benchmark: one enterprise_import, its time and its peak memory.

python -m benchmarks.import_child PATH USERNAME   → one JSON line on stdout
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    path, username = Path(sys.argv[1]), sys.argv[2]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangmi.settings")
    import django

    django.setup()
    from shangmi.accounts.models import User
    from shangmi.enterprises.importing import enterprise_import

    user = User.objects.get(username=username)
    baseline = _rss_mb()
    ticks: list[int] = []
    started = time.perf_counter()
    result = enterprise_import(user=user, path=path, progress=lambda done, total: ticks.append(done))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "errors": len(result.errors),
                "first_errors": [f"row {e.row}: {e.message}" for e in result.errors[:5]],
                "progress_calls": len(ticks),
                "rss_before_mb": round(baseline, 1),
                "peak_rss_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
