resource "google_pubsub_topic" "usage_events" {
  name   = var.usage_topic
  labels = var.labels

  depends_on = [google_project_service.required]
}

# Messages the detector never acknowledges (it acks everything it reads, good or bad: unparsable records go to
# the BigQuery dead_letter table) land here after max_delivery_attempts, instead of being redelivered forever.
resource "google_pubsub_topic" "usage_events_dead_letter" {
  name   = "${var.usage_topic}-dead-letter"
  labels = var.labels

  depends_on = [google_project_service.required]
}

# Keeps dead-lettered messages readable for a week: a topic without a subscription drops them.
resource "google_pubsub_subscription" "usage_events_dead_letter" {
  name                       = "${var.usage_topic}-dead-letter-hold"
  topic                      = google_pubsub_topic.usage_events_dead_letter.id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60
  labels                     = var.labels

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "detector" {
  name                       = var.detector_subscription
  topic                      = google_pubsub_topic.usage_events.id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  labels                     = var.labels

  # Never expire the subscription while the detector is paused.
  expiration_policy {
    ttl = ""
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.usage_events_dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }
}

# Pub/Sub's own service agent forwards to the dead-letter topic: it must publish there and ack the source.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  topic  = google_pubsub_topic.usage_events_dead_letter.name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_forwarder" {
  subscription = google_pubsub_subscription.detector.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# Routed alerts: the detector publishes every unsuppressed alert and campaign alert here as JSON, with `severity`
# and `kind` (account | campaign) as attributes (pipelines/routing.py; `--alerts-topic`).
resource "google_pubsub_topic" "alerts" {
  name   = var.alerts_topic
  labels = var.labels

  depends_on = [google_project_service.required]
}

# Example filtered subscription: what an on-call bridge (PagerDuty) pulls; a Slack bridge would take everything.
resource "google_pubsub_subscription" "critical_alerts" {
  name                       = "${var.alerts_topic}-critical"
  topic                      = google_pubsub_topic.alerts.id
  filter                     = "attributes.severity = \"critical\""
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  labels                     = var.labels

  expiration_policy {
    ttl = ""
  }
}
