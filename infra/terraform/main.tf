# distillwatch on GCP: Pub/Sub usage events -> Dataflow detector -> BigQuery tables and views.
# The table layout (tables.json) and columns (schemas/<table>.json) are generated from
# pipelines/sinks/schemas.py by `python -m pipelines.sinks.schemas`; the views are ../../distillwatch/sql/views/*.sql.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  bucket_name          = var.bucket_name != "" ? var.bucket_name : "${var.project_id}-distillwatch"
  tables               = jsondecode(file("${path.module}/tables.json"))
  views_dir            = "${path.module}/../../distillwatch/sql/views"
  views                = toset([for f in fileset(local.views_dir, "*.sql") : trimsuffix(f, ".sql")])
  worker_member        = "serviceAccount:${google_service_account.dataflow_worker.email}"
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_project_service" "required" {
  for_each = toset([
    "bigquery.googleapis.com",
    "dataflow.googleapis.com",
    "iam.googleapis.com",
    "pubsub.googleapis.com",
    "storage.googleapis.com",
  ])

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
