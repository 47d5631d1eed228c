"""Check Shangmi (商秘) evidence receipts offline and monitor its public log: no Django, no platform code."""

__version__ = "1.0.0"
