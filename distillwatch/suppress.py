"""`distillwatch suppress`: silence one entity's alerts until a date, with a reason. Rows expire, never deleted.

A suppressed entity is still scored; its alerts are written with `suppressed_by` set and are not routed
(pipelines/suppression.py). Expiry is required and must lie in the future: no suppression lasts forever.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid

from distillwatch.analyst_store import AnalystInputError, add_store_arguments, current_user, store_from_args
from pipelines.base import utc_now_iso
from pipelines.suppression import SCOPES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_store_arguments(parser)
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--account", help="account id")
    scope.add_argument("--api-key", help="api key id")
    scope.add_argument("--campaign", help="campaign id")
    scope.add_argument("--payment-fingerprint", help="payment fingerprint")
    parser.add_argument("--reason", required=True, help="why (shown in case_view)")
    parser.add_argument("--expires", required=True, help="date or time, UTC: 2027-01-31 or 2027-01-31T12:00")
    parser.add_argument("--created-by", default=current_user(), help="who (default: $USER, else the login name)")


def parse_expiry(text: str, now: dt.datetime) -> dt.datetime:
    try:
        expires = dt.datetime.fromisoformat(text)
    except ValueError:
        raise AnalystInputError(f"--expires {text!r} is not a date (2027-01-31) or time (2027-01-31T12:00)") from None
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    if expires <= now:
        raise AnalystInputError(f"--expires {text} is not in the future")
    return expires


def suppression_row(args: argparse.Namespace, now: dt.datetime) -> dict[str, str]:
    # The scope options' dests are the scope names; argparse lets exactly one through.
    (scope, value), *_ = [(scope, getattr(args, scope)) for scope in SCOPES if getattr(args, scope) is not None]
    if not value.strip():
        raise AnalystInputError(f"empty {scope}")
    if not args.reason.strip():
        raise AnalystInputError("empty --reason: say why")
    if not args.created_by.strip():
        raise AnalystInputError("empty --created-by: pass a name")
    return {
        "suppression_id": uuid.uuid4().hex,
        "scope": scope,
        "value": value.strip(),
        "reason": args.reason.strip(),
        "created_by": args.created_by.strip(),
        "created_at": utc_now_iso(),
        "expires_at": parse_expiry(args.expires, now).isoformat(),
    }


def run(args: argparse.Namespace) -> int:
    try:
        row = suppression_row(args, dt.datetime.now(dt.UTC))
        store_from_args(args).insert("suppressions", row)
    except AnalystInputError as error:
        print(f"distillwatch suppress: {error}", file=sys.stderr)
        return 2
    print(f"suppressed {row['scope']}:{row['value']} until {row['expires_at']} ({row['suppression_id']})")
    return 0
