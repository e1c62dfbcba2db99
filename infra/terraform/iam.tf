# The identity Dataflow workers run as, with only what the detector does: run as a Dataflow worker, read its
# one subscription, write its one dataset, and use its one bucket.
resource "google_service_account" "dataflow_worker" {
  account_id   = "distillwatch-dataflow"
  display_name = "distillwatch Dataflow worker"
  description  = "Runs the distillwatch detector: reads usage events, writes scores and alerts."

  depends_on = [google_project_service.required]
}

resource "google_project_iam_member" "worker_dataflow" {
  project = var.project_id
  role    = "roles/dataflow.worker"
  member  = local.worker_member
}

resource "google_pubsub_subscription_iam_member" "worker_subscriber" {
  subscription = google_pubsub_subscription.detector.name
  role         = "roles/pubsub.subscriber"
  member       = local.worker_member
}

# Dataflow's Pub/Sub source reads the subscription's configuration (pubsub.subscriptions.get), which
# roles/pubsub.subscriber does not grant; viewer on this one subscription does, and nothing more.
resource "google_pubsub_subscription_iam_member" "worker_subscription_viewer" {
  subscription = google_pubsub_subscription.detector.name
  role         = "roles/pubsub.viewer"
  member       = local.worker_member
}

# Streaming inserts need table get/create/updateData, not job creation.
resource "google_bigquery_dataset_iam_member" "worker_data_editor" {
  dataset_id = google_bigquery_dataset.detections.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = local.worker_member
}

resource "google_storage_bucket_iam_member" "worker_object_admin" {
  bucket = google_storage_bucket.pipeline.name
  role   = "roles/storage.objectAdmin"
  member = local.worker_member
}

# Whoever launches the job must be allowed to run it as the worker service account.
resource "google_service_account_iam_member" "launcher_acts_as_worker" {
  for_each = toset(var.dataflow_launchers)

  service_account_id = google_service_account.dataflow_worker.name
  role               = "roles/iam.serviceAccountUser"
  member             = each.value
}

# The worker publishes routed alerts to the alerts topic only.
resource "google_pubsub_topic_iam_member" "worker_alerts_publisher" {
  topic  = google_pubsub_topic.alerts.name
  role   = "roles/pubsub.publisher"
  member = local.worker_member
}
