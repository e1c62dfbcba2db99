-- shared_infrastructure: accounts that look like the same operation as an alerted account.
-- The tables hold no IP or payment identifiers yet, so shared infrastructure is judged from behaviour: a peer
-- matches an alerted window when, in the same window and under the same model version, its client fingerprint
-- (prompt/completion sizes, max_tokens saturation, logprob requests, sampling settings, streaming, template
-- reuse, user-agent count) is within the tolerance of the alerted account's on every one of those features.
-- Extraction spread over many accounts tends to run one harness, so its windows look alike; organic users differ.
-- A feature missing from either side never matches. peer_alerted says whether the peer was alerted itself.
-- @param lookback_hours INT64 = 24: how far back from now
-- @param tolerance FLOAT64 = 0.05: largest difference allowed per feature, as a share of max(|a|, |b|, 1)
WITH fingerprints AS (
  SELECT
    account_id,
    window_end,
    model_version,
    score,
    SAFE_CAST(JSON_VALUE(features, '$.prompt_tokens_mean') AS FLOAT64) AS prompt_tokens_mean,
    SAFE_CAST(JSON_VALUE(features, '$.completion_tokens_mean') AS FLOAT64) AS completion_tokens_mean,
    SAFE_CAST(JSON_VALUE(features, '$.max_tokens_saturation_share') AS FLOAT64) AS max_tokens_saturation_share,
    SAFE_CAST(JSON_VALUE(features, '$.logprobs_share') AS FLOAT64) AS logprobs_share,
    SAFE_CAST(JSON_VALUE(features, '$.top_logprobs_mean') AS FLOAT64) AS top_logprobs_mean,
    SAFE_CAST(JSON_VALUE(features, '$.temperature_mean') AS FLOAT64) AS temperature_mean,
    SAFE_CAST(JSON_VALUE(features, '$.temperature_std') AS FLOAT64) AS temperature_std,
    SAFE_CAST(JSON_VALUE(features, '$.stream_share') AS FLOAT64) AS stream_share,
    SAFE_CAST(JSON_VALUE(features, '$.template_top_share') AS FLOAT64) AS template_top_share,
    SAFE_CAST(JSON_VALUE(features, '$.distinct_user_agents') AS FLOAT64) AS distinct_user_agents
  FROM {dataset}.account_scores
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_hours HOUR)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY account_id, window_end, model_version ORDER BY scored_at DESC) = 1
),

alerted_windows AS (
  SELECT DISTINCT
    account_id,
    window_end,
    model_version
  FROM {dataset}.alerts
  WHERE window_end >= TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL @lookback_hours HOUR)
),

matches AS (
  SELECT
    a.account_id AS alerted_account_id,
    p.account_id AS peer_account_id,
    p.window_end,
    p.score AS peer_score
  FROM alerted_windows AS w
  INNER JOIN fingerprints AS a
    ON a.account_id = w.account_id AND a.window_end = w.window_end AND a.model_version = w.model_version
  INNER JOIN fingerprints AS p
    ON p.window_end = a.window_end AND p.model_version = a.model_version AND p.account_id != a.account_id
  WHERE
    ABS(a.prompt_tokens_mean - p.prompt_tokens_mean) <= @tolerance * GREATEST(ABS(a.prompt_tokens_mean), ABS(p.prompt_tokens_mean), 1.0)
    AND ABS(a.completion_tokens_mean - p.completion_tokens_mean) <= @tolerance * GREATEST(ABS(a.completion_tokens_mean), ABS(p.completion_tokens_mean), 1.0)
    AND ABS(a.max_tokens_saturation_share - p.max_tokens_saturation_share) <= @tolerance * GREATEST(ABS(a.max_tokens_saturation_share), ABS(p.max_tokens_saturation_share), 1.0)
    AND ABS(a.logprobs_share - p.logprobs_share) <= @tolerance * GREATEST(ABS(a.logprobs_share), ABS(p.logprobs_share), 1.0)
    AND ABS(a.top_logprobs_mean - p.top_logprobs_mean) <= @tolerance * GREATEST(ABS(a.top_logprobs_mean), ABS(p.top_logprobs_mean), 1.0)
    AND ABS(a.temperature_mean - p.temperature_mean) <= @tolerance * GREATEST(ABS(a.temperature_mean), ABS(p.temperature_mean), 1.0)
    AND ABS(a.temperature_std - p.temperature_std) <= @tolerance * GREATEST(ABS(a.temperature_std), ABS(p.temperature_std), 1.0)
    AND ABS(a.stream_share - p.stream_share) <= @tolerance * GREATEST(ABS(a.stream_share), ABS(p.stream_share), 1.0)
    AND ABS(a.template_top_share - p.template_top_share) <= @tolerance * GREATEST(ABS(a.template_top_share), ABS(p.template_top_share), 1.0)
    AND ABS(a.distinct_user_agents - p.distinct_user_agents) <= @tolerance * GREATEST(ABS(a.distinct_user_agents), ABS(p.distinct_user_agents), 1.0)
)

SELECT
  m.alerted_account_id,
  m.peer_account_id,
  COUNT(DISTINCT m.window_end) AS shared_windows,
  MIN(m.window_end) AS first_shared_window_end,
  MAX(m.window_end) AS last_shared_window_end,
  MAX(m.peer_score) AS peer_max_score,
  peer.account_id IS NOT NULL AS peer_alerted
FROM matches AS m
LEFT JOIN (SELECT DISTINCT account_id FROM alerted_windows) AS peer ON peer.account_id = m.peer_account_id
GROUP BY m.alerted_account_id, m.peer_account_id, peer_alerted
ORDER BY shared_windows DESC, peer_max_score DESC, m.alerted_account_id, m.peer_account_id
