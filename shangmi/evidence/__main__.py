"""``python -m shangmi.evidence``: deposit files by their digests, fetch receipts, verify offline.

    python -m shangmi.evidence keygen deposit.key                      # the enterprise's deposit key
    python -m shangmi.evidence deposit PATH... --deposit-key deposit.key --url URL --token TOKEN \
        [--out DIR] [--wait 30] [--escrow]
    python -m shangmi.evidence receipt DEPOSIT_ID --url URL --token TOKEN [--out DIR] [--file F --deposit-key K]
    python -m shangmi.evidence verify --file F --receipt R.json --log-key KEY [--deposit-key K] [--tsa-cert CA.pem]

With ``--deposit-key`` the salt of each file is derived from the enterprise's key and the file,
and only the salted commitments are sent: the platform cannot confirm a guessed document, and
a lost receipt is rebuilt with ``receipt DEPOSIT_ID --file F --deposit-key K``.

``verify`` needs nothing but the file, the receipt and the log's public key (the text
published at /evidence/log/key/, or a file holding it): no database, no network.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from shangmi.evidence.client import (
    Api,
    ClientError,
    deposit_paths,
    fetch_receipt,
    new_deposit_key,
    read_deposit_key,
    rebuild_receipt,
    save_receipt,
)
from shangmi.evidence.leaf import LeafError
from shangmi.evidence.verify import digest_file, verify_receipt


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m shangmi.evidence", description="商秘 evidence deposit client")
    sub = parser.add_subparsers(dest="command", required=True)

    def server(p: argparse.ArgumentParser) -> None:
        p.add_argument("--url", default=os.environ.get("SHANGMI_URL", "http://127.0.0.1:8000"))
        p.add_argument("--token", default=os.environ.get("SHANGMI_TOKEN"), help="API token (or SHANGMI_TOKEN)")
        p.add_argument("--out", type=Path, default=Path("receipts"), help="folder for receipt JSON files")

    key = sub.add_parser("keygen", help="write a new enterprise deposit key (keep it, back it up)")
    key.add_argument("path", type=Path)

    dep = sub.add_parser("deposit", help="hash files locally and deposit their salted commitments")
    dep.add_argument("paths", nargs="+", type=Path)
    server(dep)
    dep.add_argument("--deposit-key", help="the enterprise's deposit key, or the file holding it")
    dep.add_argument("--escrow", action="store_true", help="also leave the salt and digests with the platform")
    dep.add_argument("--title", default="")
    dep.add_argument("--secret-point", default="")
    dep.add_argument("--project", default="")
    dep.add_argument("--version-note", default="")
    dep.add_argument("--previous", default=None, help="id of the deposit this is a new version of")
    dep.add_argument("--no-sm3", action="store_true", help="skip the SM3 digest (faster on large files)")
    dep.add_argument("--wait", type=float, default=0.0, help="seconds to wait for the sequenced receipt")

    rec = sub.add_parser("receipt", help="download a deposit's (possibly upgraded) receipt")
    rec.add_argument("deposit_id")
    server(rec)
    rec.add_argument("--file", type=Path, help="with --deposit-key: rebuild a receipt the platform holds no salt for")
    rec.add_argument("--deposit-key", help="the enterprise's deposit key, or the file holding it")

    ver = sub.add_parser("verify", help="verify a file against its receipt, offline")
    ver.add_argument("--file", type=Path, help="the deposited file (omit to check the receipt alone)")
    ver.add_argument("--receipt", type=Path, required=True)
    ver.add_argument("--log-key", required=True, help="the log's public key, or a file holding it")
    ver.add_argument("--tsa-cert", type=Path, action="append", default=[], help="trusted timestamp authority cert")
    ver.add_argument(
        "--witness-key", action="append", default=[], help="a witness's public key, or a file holding it (repeatable)"
    )
    ver.add_argument("--quorum", type=int, default=None, help="witnesses that must have cosigned (default: all)")
    ver.add_argument("--deposit-key", help="the enterprise's deposit key (rebuilds the salt from the file)")
    ver.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _log_key(value: str) -> str:
    path = Path(value)
    return path.read_text(encoding="utf-8").strip() if path.is_file() else value.strip()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "verify":
            return _verify(args)
        if args.command == "keygen":
            new_deposit_key(args.path)
            print(f"{args.path}: 新的存证密钥，请妥善备份 / a new deposit key: keep it and back it up")
            return 0
        if not args.token:
            raise ClientError("an API token is needed: --token or SHANGMI_TOKEN")
        api = Api(args.url, args.token)
        if args.command == "deposit":
            written = deposit_paths(
                api,
                args.paths,
                out_dir=args.out,
                title=args.title,
                secret_point=args.secret_point,
                project=args.project,
                version_note=args.version_note,
                previous=args.previous,
                with_sm3=not args.no_sm3,
                wait=args.wait,
                deposit_key=read_deposit_key(args.deposit_key) if args.deposit_key else None,
                escrow=args.escrow,
            )
            for path in written:
                print(path)
            print(f"已存证 {len(written)} 个文件 / deposited {len(written)} file(s); only digests were sent")
            return 0
        if bool(args.file) != bool(args.deposit_key):
            raise ClientError("--file and --deposit-key go together")
        if args.file:
            receipt = rebuild_receipt(api, args.deposit_id, args.file, read_deposit_key(args.deposit_key))
        else:
            receipt = fetch_receipt(api, args.deposit_id)
        args.out.mkdir(parents=True, exist_ok=True)
        print(save_receipt(receipt, args.out))
        print(f"status: {receipt['status']}")
        return 0
    except (ClientError, OSError, ValueError, LeafError) as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2


def _verify(args: argparse.Namespace) -> int:
    from shangmi.evidence.client import read_deposit_key

    receipt = json.loads(args.receipt.read_text(encoding="utf-8"))
    deposit_key = read_deposit_key(args.deposit_key) if args.deposit_key else None
    digests = digest_file(args.file) if args.file else None
    certs = tuple(path.read_bytes() for path in args.tsa_cert)
    report = verify_receipt(
        receipt,
        verifier_key=_log_key(args.log_key),
        file=digests,
        tsa_certs=certs,
        witnesses=[_log_key(key) for key in args.witness_key],
        quorum=args.quorum,
        deposit_key=deposit_key,
    )
    if args.json:
        print(
            json.dumps(
                {
                    "verified": report.verified,
                    "index": report.index,
                    "tree_size": report.tree_size,
                    "proven": {
                        "in_log_by_checkpoint": report.tree_size,
                        "timestamp_at": report.timestamp_at.isoformat() if report.timestamp_at else None,
                        "timestamp_authority": report.timestamp_authority or None,
                        "cosigned_by": report.cosigned,
                    },
                    "platform_claim": {"time": report.claimed_at.isoformat() if report.claimed_at else None},
                    "checks": [{"ok": c.ok, "zh": c.zh, "en": c.en} for c in report.checks],
                },
                ensure_ascii=False,
            )
        )
    else:
        for check in report.checks:
            print(f"{'✓' if check.ok else '✗'} {check.zh} / {check.en}")
        print(report.summary())
    return 0 if report.verified else 1


if __name__ == "__main__":
    sys.exit(main())
