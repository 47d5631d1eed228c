"""``shangmi-verify`` (or ``python -m shangmi_verifier``, or ``python shangmi-verify.pyz``).

    shangmi-verify verify --file F --receipt R.json --log-key KEY [--deposit-key K] \
        [--witness-key W ... --quorum N] [--tsa-cert CA.pem]
    shangmi-verify monitor --url URL --log-key KEY --state DIR [--witness-key W ... --quorum N] [--every SECONDS]

Exit status 0: verified / nothing found; 1: not verified / a finding; 2: bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from shangmi_verifier.leaf import LeafError, parse_deposit_key
from shangmi_verifier.monitor import Monitor
from shangmi_verifier.verify import digest_file, verify_receipt


def _text(value: str) -> str:
    """A key given as text, or the name of a file holding it."""
    path = Path(value)
    return path.read_text(encoding="utf-8").strip() if path.is_file() else value.strip()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shangmi-verify", description="商秘存证 offline verifier and log monitor")
    sub = parser.add_subparsers(dest="command", required=True)
    ver = sub.add_parser("verify", help="verify a file against its receipt, offline / 离线核验文件与回执")
    ver.add_argument("--file", type=Path, help="the deposited file (omit to check the receipt alone)")
    ver.add_argument("--receipt", type=Path, required=True)
    ver.add_argument("--tsa-cert", type=Path, action="append", default=[], help="trusted timestamp authority cert")
    ver.add_argument(
        "--deposit-key", help="the enterprise's deposit key, or a file holding it: rebuilds the salt / 企业存证密钥"
    )
    ver.add_argument("--json", action="store_true", help="print the result as JSON")
    mon = sub.add_parser("monitor", help="follow the public log, keeping state on this disk / 监测公开日志")
    mon.add_argument("--url", required=True, help="the platform's address, e.g. https://shangmi.example")
    mon.add_argument("--state", type=Path, required=True, help="the monitor's own state directory")
    mon.add_argument("--every", type=float, default=0, help="repeat every N seconds (default: run once)")
    for p in (ver, mon):
        p.add_argument("--log-key", required=True, help="the log's public key, or a file holding it")
        p.add_argument("--witness-key", action="append", default=[], help="a witness's public key (repeatable)")
        p.add_argument("--quorum", type=int, default=None, help="witnesses that must have cosigned (default: all)")
    return parser


def _verify(args: argparse.Namespace) -> int:
    receipt = json.loads(args.receipt.read_text(encoding="utf-8"))
    try:
        deposit_key = parse_deposit_key(_text(args.deposit_key)) if args.deposit_key else None
    except LeafError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    report = verify_receipt(
        receipt,
        verifier_key=_text(args.log_key),
        file=digest_file(args.file) if args.file else None,
        tsa_certs=tuple(path.read_bytes() for path in args.tsa_cert),
        witnesses=[_text(key) for key in args.witness_key],
        quorum=args.quorum,
        deposit_key=deposit_key,
    )
    if args.json:
        out = {
            "verified": report.verified,
            "index": report.index,
            "proven": {
                "in_log_by_checkpoint": report.tree_size,
                "timestamp_at": report.timestamp_at.isoformat() if report.timestamp_at else None,
                "timestamp_authority": report.timestamp_authority or None,
                "cosigned_by": report.cosigned,
            },
            "platform_claim": {"time": report.claimed_at.isoformat() if report.claimed_at else None},
            "checks": [{"ok": c.ok, "zh": c.zh, "en": c.en} for c in report.checks],
        }
        print(json.dumps(out, ensure_ascii=False))
    else:
        for check in report.checks:
            print(f"{'✓' if check.ok else '✗'} {check.zh} / {check.en}")
        print(report.summary())
    return 0 if report.verified else 1


def _monitor(args: argparse.Namespace) -> int:
    monitor = Monitor(args.url, _text(args.log_key), args.state, [_text(k) for k in args.witness_key], args.quorum)
    while True:
        result = monitor.run()
        for finding in result.findings:
            print(f"FINDING {finding}", flush=True)
        if result.ok:
            print(f"ok: {result.size} entries, {result.new_entries} new / 日志一致", flush=True)
        if not args.every:
            return 0 if result.ok else 1
        time.sleep(args.every)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return _verify(args) if args.command == "verify" else _monitor(args)


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
