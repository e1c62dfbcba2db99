-- open_alerts_without_verdict: the analysts' queue. Account alerts of the last days that were routed (not
-- suppressed) and have no verdict yet, neither on the alert nor on its account, worst first.
-- @param lookback_days INT64 = 7: how many days back from now
WITH alerts_once AS (
  SELECT
    *
  FROM {dataset}.alerts
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_days DAY)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY alert_id ORDER BY created_at DESC) = 1
)

SELECT
  a.alert_id,
  a.account_id,
  a.window_end,
  a.severity,
  a.score,
  a.model_version,
  a.recommended_action
FROM alerts_once AS a
WHERE
  a.suppressed_by IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM {dataset}.feedback AS f
    WHERE f.alert_id = a.alert_id OR (f.alert_id IS NULL AND f.account_id = a.account_id)
  )
ORDER BY
  CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END,
  a.score DESC,
  a.alert_id
