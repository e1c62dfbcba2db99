-- top_risky_accounts: the accounts to look at first, ranked by their highest extraction-risk score of late.
-- One row per account scored within the lookback: its highest and mean window score, how many distinct
-- alerts it drew (alert_id is deterministic, so re-delivered rows do not count twice) and its worst severity.
-- @param lookback_hours INT64 = 24: how far back from now "of late" reaches
-- @param max_accounts INT64 = 50: how many accounts to list
WITH recent_scores AS (
  SELECT
    account_id,
    MAX(score) AS max_score,
    AVG(score) AS mean_score,
    COUNT(DISTINCT window_end) AS windows_scored,
    MAX(window_end) AS last_window_end
  FROM {dataset}.account_scores
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_hours HOUR)
  GROUP BY account_id
),

recent_alerts AS (
  SELECT
    account_id,
    COUNT(DISTINCT alert_id) AS alert_count,
    MAX(CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END) AS severity_rank,
    MAX(created_at) AS last_alert_at
  FROM {dataset}.alerts
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_hours HOUR)
  GROUP BY account_id
)

SELECT
  s.account_id,
  s.max_score,
  s.mean_score,
  s.windows_scored,
  COALESCE(a.alert_count, 0) AS alerts,
  CASE a.severity_rank WHEN 3 THEN 'critical' WHEN 2 THEN 'high' WHEN 1 THEN 'medium' END AS worst_severity,
  s.last_window_end,
  a.last_alert_at
FROM recent_scores AS s
LEFT JOIN recent_alerts AS a ON a.account_id = s.account_id
ORDER BY s.max_score DESC, alerts DESC, s.account_id
LIMIT @max_accounts
