-- campaign_of_account: the coordinated campaigns an account was linked into, newest window first; the pivot from
-- an alerted account to the rest of its operation. One row per campaign window: when a window was detected more
-- than once (a replay, re-delivered inserts), its latest detection. evidence_of_account is what ties this account
-- to the other members (kind:value); alerted_members counts the members, this one included, with a per-account
-- alert whose window ended within the campaign's window.
-- @param account_id STRING: the account to pivot from
-- @param lookback_days INT64 = 7: how many days back from now (bounds the partitions read)
WITH campaign_windows AS (
  SELECT
    campaign_id,
    window_start,
    window_end,
    members,
    member_count,
    evidence,
    score,
    severity,
    detector_version
  FROM {dataset}.campaigns
  WHERE
    window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_days DAY)
    AND @account_id IN UNNEST(members)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY window_end, detector_version ORDER BY created_at DESC) = 1
),

alerted AS (
  SELECT
    c.campaign_id,
    COUNT(DISTINCT a.account_id) AS alerted_members
  FROM campaign_windows AS c
  CROSS JOIN UNNEST(c.members) AS member
  INNER JOIN {dataset}.alerts AS a
    ON a.account_id = member AND a.window_end > c.window_start AND a.window_end <= c.window_end
  WHERE a.window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_days DAY)
  GROUP BY c.campaign_id
)

SELECT
  c.campaign_id,
  c.window_start,
  c.window_end,
  c.severity,
  c.score,
  c.member_count,
  COALESCE(a.alerted_members, 0) AS alerted_members,
  ARRAY_TO_STRING(
    ARRAY(
      SELECT CONCAT(e.kind, ':', e.value) FROM UNNEST(c.evidence) AS e
      WHERE @account_id IN UNNEST(e.accounts)
      ORDER BY e.kind, e.value
    ),
    ', '
  ) AS evidence_of_account,
  ARRAY_TO_STRING(ARRAY(SELECT m FROM UNNEST(c.members) AS m WHERE m != @account_id ORDER BY m), ', ') AS other_members,
  c.detector_version
FROM campaign_windows AS c
LEFT JOIN alerted AS a ON a.campaign_id = c.campaign_id
ORDER BY c.window_end DESC, c.detector_version
