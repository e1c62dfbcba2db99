-- alert_timeline: one account's extraction risk window by window, with the alerts raised and their reasons.
-- A window scored more than once (late data re-firing it, re-delivered inserts) shows its latest score only.
-- top_reasons lists the alert's features by contribution to the score, largest first.
-- @param account_id STRING: the account to show
-- @param lookback_days INT64 = 7: how many days back from now (bounds the partitions read)
WITH windows AS (
  SELECT
    window_start,
    window_end,
    model_version,
    score,
    request_count
  FROM {dataset}.account_scores
  WHERE
    account_id = @account_id
    AND window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_days DAY)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY window_end, model_version ORDER BY scored_at DESC) = 1
),

window_alerts AS (
  SELECT
    a.window_end,
    a.model_version,
    a.alert_id,
    a.severity,
    ARRAY_TO_STRING(ARRAY(SELECT r.feature FROM UNNEST(a.reasons) AS r ORDER BY r.contribution DESC), ', ') AS top_reasons
  FROM {dataset}.alerts AS a
  WHERE
    a.account_id = @account_id
    AND a.window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_days DAY)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY a.alert_id ORDER BY a.created_at) = 1
)

SELECT
  w.window_start,
  w.window_end,
  w.model_version,
  w.score,
  w.request_count,
  a.alert_id,
  a.severity,
  a.top_reasons
FROM windows AS w
LEFT JOIN window_alerts AS a ON a.window_end = w.window_end AND a.model_version = w.model_version
ORDER BY w.window_end, w.model_version
