-- latest_account_risk (view): every account scored in the last 7 days, with its latest window score and its
-- most recent alert; the table behind a "who is risky right now" dashboard. Latest = last window end, and for a
-- window scored more than once, the last scoring.
WITH latest_window AS (
  SELECT
    account_id,
    window_end,
    model_version,
    score,
    request_count,
    scored_at
  FROM {dataset}.account_scores
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY window_end DESC, scored_at DESC) = 1
),

week_scores AS (
  SELECT
    account_id,
    MAX(score) AS max_score_7d
  FROM {dataset}.account_scores
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
  GROUP BY account_id
),

week_alerts AS (
  SELECT
    account_id,
    COUNT(DISTINCT alert_id) AS alerts_7d
  FROM {dataset}.alerts
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
  GROUP BY account_id
),

last_alert AS (
  SELECT
    account_id,
    alert_id,
    severity,
    window_end,
    created_at
  FROM {dataset}.alerts
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY window_end DESC, created_at DESC) = 1
)

SELECT
  l.account_id,
  l.window_end AS latest_window_end,
  l.score AS latest_score,
  l.model_version AS latest_model_version,
  l.request_count AS latest_request_count,
  s.max_score_7d,
  COALESCE(c.alerts_7d, 0) AS alerts_7d,
  a.alert_id AS last_alert_id,
  a.severity AS last_alert_severity,
  a.created_at AS last_alert_at
FROM latest_window AS l
INNER JOIN week_scores AS s ON s.account_id = l.account_id
LEFT JOIN week_alerts AS c ON c.account_id = l.account_id
LEFT JOIN last_alert AS a ON a.account_id = l.account_id
