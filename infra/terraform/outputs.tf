output "usage_topic" {
  description = "Topic the API gateway publishes usage events to."
  value       = google_pubsub_topic.usage_events.id
}

output "detector_subscription" {
  description = "The detector's input: `distillwatch detect --input <this>`."
  value       = google_pubsub_subscription.detector.id
}

output "dead_letter_topic" {
  description = "Where Pub/Sub moves messages the detector never acknowledged."
  value       = google_pubsub_topic.usage_events_dead_letter.id
}

output "detect_output" {
  description = "The detector's output: `distillwatch detect --output <this>`."
  value       = "bq:${var.project_id}:${google_bigquery_dataset.detections.dataset_id}"
}

output "dataset" {
  description = "BigQuery dataset as PROJECT.DATASET (what `distillwatch query --bq` and the saved queries use)."
  value       = "${var.project_id}.${google_bigquery_dataset.detections.dataset_id}"
}

output "tables" {
  description = "Output table ids by name."
  value       = { for name, table in google_bigquery_table.output : name => table.id }
}

output "views" {
  description = "View ids by name."
  value       = { for name, view in google_bigquery_table.view : name => view.id }
}

output "bucket" {
  description = "Pipeline bucket."
  value       = google_storage_bucket.pipeline.url
}

output "dataflow_staging_location" {
  value = "${google_storage_bucket.pipeline.url}/staging"
}

output "dataflow_temp_location" {
  value = "${google_storage_bucket.pipeline.url}/temp"
}

output "model_artifacts_prefix" {
  description = "Where model manifests and artifacts are published (watched for hot swaps)."
  value       = "${google_storage_bucket.pipeline.url}/models"
}

output "dataflow_service_account" {
  description = "Pass as --service_account_email to the Dataflow job."
  value       = google_service_account.dataflow_worker.email
}

output "alerts_topic" {
  description = "Pass as --alerts-topic to distillwatch detect."
  value       = google_pubsub_topic.alerts.id
}
