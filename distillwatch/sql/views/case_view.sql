-- case_view (view): one row per alert (account and campaign alerts), with what an analyst needs to work the case:
-- its reasons (features, strongest first; campaign evidence as kind:value), the campaigns the account was linked into in the same window, the
-- latest verdict and how many were recorded, and its suppression state. Verdicts name the alert, or its account or
-- campaign; suppressed_by is what the pipeline matched when it wrote the alert. A re-delivered alert is one row.
WITH alerts_once AS (
  SELECT
    alert_id,
    account_id,
    window_start,
    window_end,
    score,
    severity,
    model_version,
    reasons,
    suppressed_by,
    recommended_action,
    created_at
  FROM {dataset}.alerts
  QUALIFY ROW_NUMBER() OVER (PARTITION BY alert_id ORDER BY created_at DESC) = 1
),

campaigns_once AS (
  SELECT
    campaign_id,
    window_start,
    window_end,
    members,
    evidence,
    score,
    severity,
    detector_version,
    suppressed_by,
    recommended_action,
    created_at
  FROM {dataset}.campaigns
  QUALIFY ROW_NUMBER() OVER (PARTITION BY campaign_id ORDER BY created_at DESC) = 1
),

cases AS (
  SELECT
    'account' AS kind,
    a.alert_id,
    a.account_id,
    CAST(NULL AS STRING) AS campaign_id,
    a.window_start,
    a.window_end,
    a.score,
    a.severity,
    a.model_version,
    ARRAY_TO_STRING(
      ARRAY(
        SELECT r.feature FROM UNNEST(a.reasons) AS r
        ORDER BY r.contribution DESC, r.feature
      ),
      ', '
    ) AS reasons,
    a.suppressed_by,
    a.recommended_action,
    a.created_at
  FROM alerts_once AS a
  UNION ALL
  SELECT
    'campaign' AS kind,
    c.campaign_id AS alert_id,
    CAST(NULL AS STRING) AS account_id,
    c.campaign_id,
    c.window_start,
    c.window_end,
    c.score,
    c.severity,
    c.detector_version AS model_version,
    ARRAY_TO_STRING(
      ARRAY(SELECT CONCAT(e.kind, ':', e.value) FROM UNNEST(c.evidence) AS e ORDER BY e.kind, e.value), ', '
    ) AS reasons,
    c.suppressed_by,
    c.recommended_action,
    c.created_at
  FROM campaigns_once AS c
),

linked AS (
  SELECT
    a.alert_id,
    STRING_AGG(c.campaign_id, ', ' ORDER BY c.campaign_id) AS campaigns
  FROM campaigns_once AS c
  CROSS JOIN UNNEST(c.members) AS member
  INNER JOIN alerts_once AS a
    ON a.account_id = member AND a.window_end > c.window_start AND a.window_end <= c.window_end
  GROUP BY a.alert_id
),

verdicts AS (
  SELECT
    k.alert_id,
    f.verdict,
    f.analyst,
    f.note,
    f.created_at,
    COUNT(*) OVER (PARTITION BY k.alert_id) AS verdict_count,
    ROW_NUMBER() OVER (PARTITION BY k.alert_id ORDER BY f.created_at DESC, f.feedback_id) AS recency
  FROM cases AS k
  INNER JOIN {dataset}.feedback AS f
    ON
      f.alert_id = k.alert_id
      OR (f.alert_id IS NULL AND f.account_id = k.account_id)
      OR (f.alert_id IS NULL AND f.campaign_id = k.campaign_id)
)

SELECT
  k.kind,
  k.alert_id,
  k.account_id,
  k.campaign_id,
  k.window_start,
  k.window_end,
  k.score,
  k.severity,
  k.model_version,
  k.reasons,
  l.campaigns,
  v.verdict,
  v.analyst AS verdict_by,
  v.note AS verdict_note,
  v.created_at AS verdict_at,
  COALESCE(v.verdict_count, 0) AS verdict_count,
  k.suppressed_by IS NOT NULL AS suppressed,
  k.suppressed_by,
  k.recommended_action,
  k.created_at
FROM cases AS k
LEFT JOIN linked AS l ON l.alert_id = k.alert_id
LEFT JOIN verdicts AS v ON v.alert_id = k.alert_id AND v.recency = 1
