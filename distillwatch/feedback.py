"""`distillwatch feedback`: record an analyst's verdict on an alert, an account or a campaign.

The feedback table is append-only; the latest verdict on a subject is the one that counts (case_view). What the
verdict names must exist (an alert id from `alerts`, an account from `account_scores`, a campaign from
`campaigns`), so a mistyped id fails with one line and writes nothing.
"""

from __future__ import annotations

import argparse
import sys
import uuid

from distillwatch.analyst_store import AnalystInputError, Store, add_store_arguments, current_user, store_from_args
from pipelines.base import utc_now_iso

VERDICTS = ("true_positive", "false_positive", "benign_known_use", "needs_review")
# (option, column, the table that must hold it)
SUBJECTS = (("alert_id", "alert_id", "alerts"), ("account_id", "account_id", "account_scores"),
            ("campaign_id", "campaign_id", "campaigns"))  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_store_arguments(parser)
    parser.add_argument("--alert-id", help="the alert judged (alerts.alert_id)")
    parser.add_argument("--account-id", help="the account judged, or the alert's account")
    parser.add_argument("--campaign-id", help="the campaign judged (campaigns.campaign_id)")
    parser.add_argument("--verdict", required=True, help=" | ".join(VERDICTS))
    parser.add_argument("--note", default="", help="free text: why")
    parser.add_argument("--analyst", default=current_user(), help="who judged (default: $USER, else the login name)")


def feedback_row(args: argparse.Namespace, store: Store) -> dict[str, str | None]:
    """The row to append, after every check; raises AnalystInputError on the first problem."""
    if args.verdict not in VERDICTS:
        raise AnalystInputError(f"unknown verdict {args.verdict!r}; expected one of {', '.join(VERDICTS)}")
    if not args.analyst.strip():
        raise AnalystInputError("empty analyst: pass --analyst NAME")
    given = {option: getattr(args, option) for option, _, _ in SUBJECTS if getattr(args, option)}
    if not given:
        raise AnalystInputError("say what the verdict is about: --alert-id, --account-id or --campaign-id")
    for option, column, table in SUBJECTS:
        if option in given and not store.exists(table, column, given[option]):
            raise AnalystInputError(f"unknown {option.replace('_', ' ')} {given[option]!r}: not in {table}")
    return {
        "feedback_id": uuid.uuid4().hex,
        **{column: given.get(option) for option, column, _ in SUBJECTS},
        "verdict": args.verdict,
        "note": args.note or None,
        "analyst": args.analyst.strip(),
        "created_at": utc_now_iso(),
    }


def run(args: argparse.Namespace) -> int:
    try:
        store = store_from_args(args)
        row = feedback_row(args, store)
        store.insert("feedback", row)
    except AnalystInputError as error:
        print(f"distillwatch feedback: {error}", file=sys.stderr)
        return 2
    print(f"recorded {row['verdict']} ({row['feedback_id']})")
    return 0
