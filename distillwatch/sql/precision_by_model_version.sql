-- precision_by_model_version: per model version, how analysts judged its account alerts (the latest verdict on
-- each alert). precision = true positives / (true positives + false positives + benign known use); needs_review
-- and unjudged alerts are counted but left out of it (NULL while nothing is judged).
-- @param lookback_days INT64 = 30: alert windows ending this many days back from now
WITH alerts_once AS (
  SELECT
    alert_id,
    model_version
  FROM {dataset}.alerts
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_days DAY)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY alert_id ORDER BY created_at DESC) = 1
),

latest_verdict AS (
  SELECT
    alert_id,
    verdict
  FROM {dataset}.feedback
  WHERE alert_id IS NOT NULL
  QUALIFY ROW_NUMBER() OVER (PARTITION BY alert_id ORDER BY created_at DESC, feedback_id) = 1
)

SELECT
  a.model_version,
  COUNT(*) AS alerts,
  COUNT(v.verdict) AS judged,
  SUM(IF(v.verdict = 'true_positive', 1, 0)) AS true_positives,
  SUM(IF(v.verdict = 'false_positive', 1, 0)) AS false_positives,
  SUM(IF(v.verdict = 'benign_known_use', 1, 0)) AS benign_known_use,
  SUM(IF(v.verdict = 'needs_review', 1, 0)) AS needs_review,
  SUM(IF(v.verdict = 'true_positive', 1, 0))
  / NULLIF(SUM(IF(v.verdict IN ('true_positive', 'false_positive', 'benign_known_use'), 1, 0)), 0) AS precision
FROM alerts_once AS a
LEFT JOIN latest_verdict AS v ON v.alert_id = a.alert_id
GROUP BY a.model_version
ORDER BY a.model_version
