-- alert_volume_by_severity_day: how many alerts, on how many accounts, per UTC day (of the window end) and severity.
-- Counts distinct alert_id, so rows delivered twice by streaming inserts are counted once.
-- @param lookback_days INT64 = 30: how many days back from now
SELECT
  DATE(window_end) AS day,
  severity,
  COUNT(DISTINCT alert_id) AS alerts,
  COUNT(DISTINCT account_id) AS accounts,
  MAX(score) AS max_score
FROM {dataset}.alerts
WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_days DAY)
GROUP BY day, severity
ORDER BY day, CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END DESC
