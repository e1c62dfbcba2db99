-- alert_reasons (view): alerts flattened to one row per alert and reason, for tools that cannot read repeated
-- records. reason_rank 1 is the feature that contributed most to the score.
SELECT
  a.alert_id,
  a.account_id,
  a.window_end,
  a.severity,
  a.score,
  a.model_version,
  r.feature,
  r.value,
  r.contribution,
  -- DENSE_RANK: a re-delivered copy of an alert ranks its reasons the same as the original.
  DENSE_RANK() OVER (PARTITION BY a.alert_id ORDER BY r.contribution DESC, r.feature) AS reason_rank
FROM {dataset}.alerts AS a
CROSS JOIN UNNEST(a.reasons) AS r
