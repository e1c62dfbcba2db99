resource "google_bigquery_dataset" "detections" {
  dataset_id  = var.dataset_id
  location    = var.bigquery_location
  description = "distillwatch: extraction-risk scores, alerts and dead letters, written by the Dataflow detector."
  labels      = var.labels

  depends_on = [google_project_service.required]
}

resource "google_bigquery_table" "output" {
  for_each = local.tables

  dataset_id          = google_bigquery_dataset.detections.dataset_id
  table_id            = each.key
  description         = each.value.description
  schema              = file("${path.module}/schemas/${each.key}.json")
  clustering          = each.value.clustering
  deletion_protection = var.deletion_protection
  labels              = var.labels

  time_partitioning {
    type          = "DAY"
    field         = each.value.partition_field
    expiration_ms = var.partition_expiration_days == null ? null : var.partition_expiration_days * 86400000
  }
}

# Views are plain SELECTs naming tables `{dataset}.<table>`; views need project-qualified references.
resource "google_bigquery_table" "view" {
  for_each = local.views

  dataset_id          = google_bigquery_dataset.detections.dataset_id
  table_id            = each.key
  deletion_protection = false
  labels              = var.labels

  view {
    query          = replace(file("${local.views_dir}/${each.key}.sql"), "{dataset}", "`${var.project_id}.${google_bigquery_dataset.detections.dataset_id}`")
    use_legacy_sql = false
  }

  depends_on = [google_bigquery_table.output]
}
