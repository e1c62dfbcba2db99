-- score_drift_by_model_version: the score distribution each model version produces, per UTC day.
-- Two versions live on the same day (a hot swap, a shadow model) should score alike; a version whose mean or
-- share above the alert threshold moves from one day to the next without a change in traffic has drifted.
-- p50/p95 are approximate quantiles. mean_score_change is the change from the version's previous scored day.
-- @param lookback_days INT64 = 14: how many days back from now
-- Each row is judged at the threshold its model alerted at (account_scores.alert_threshold); the parameter
-- stands in for rows written before that column existed.
-- @param alert_threshold FLOAT64 = 0.5: the lowest score that raises an alert, for rows without their own
WITH latest_scores AS (
  SELECT
    account_id,
    window_end,
    model_version,
    score,
    alert_threshold
  FROM {dataset}.account_scores
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_days DAY)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY account_id, window_end, model_version ORDER BY scored_at DESC) = 1
),

daily AS (
  SELECT
    DATE(window_end) AS day,
    model_version,
    COUNT(*) AS windows,
    COUNT(DISTINCT account_id) AS accounts,
    AVG(score) AS mean_score,
    APPROX_QUANTILES(score, 100)[OFFSET(50)] AS p50_score,
    APPROX_QUANTILES(score, 100)[OFFSET(95)] AS p95_score,
    COUNTIF(score >= COALESCE(alert_threshold, @alert_threshold)) / COUNT(*) AS share_above_threshold
  FROM latest_scores
  GROUP BY day, model_version
)

SELECT
  day,
  model_version,
  windows,
  accounts,
  mean_score,
  p50_score,
  p95_score,
  share_above_threshold,
  mean_score - LAG(mean_score) OVER (PARTITION BY model_version ORDER BY day) AS mean_score_change
FROM daily
ORDER BY day, model_version
