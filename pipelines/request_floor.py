"""The request floor: a window holding fewer requests than the alert policy's `min_requests` can never alert.

The alert policy routes only windows at the floor (`pipelines.alerting.is_eligible`), whatever their score and
whichever component (supervised, novelty, horizon) set it. So the windowing drops every per-account window and
every horizon window below the floor before its panes are merged (`pipelines.windowing`): no features, no
inference, no `account_scores` row. The panes themselves are kept whole, so the long horizon and the campaign
stage still see every event of the windows dropped here.
"""

from __future__ import annotations


def reaches_floor(requests: int, floor: int) -> bool:
    return requests >= floor
