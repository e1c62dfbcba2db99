variable "project_id" {
  description = "GCP project that runs the detector."
  type        = string
}

variable "region" {
  description = "Region of the Dataflow job and the pipeline bucket."
  type        = string
  default     = "us-central1"
}

variable "bigquery_location" {
  description = "Location of the BigQuery dataset (a region, or the US / EU multi-region)."
  type        = string
  default     = "US"
}

variable "dataset_id" {
  description = "BigQuery dataset holding account_scores, alerts, dead_letter and the views."
  type        = string
  default     = "distillwatch"
}

variable "usage_topic" {
  description = "Pub/Sub topic the API gateway publishes usage events to."
  type        = string
  default     = "llm-usage-events"
}

variable "detector_subscription" {
  description = "Pub/Sub subscription the Dataflow detector reads."
  type        = string
  default     = "distillwatch-detector"
}

variable "max_delivery_attempts" {
  description = "Deliveries of a message the detector never acknowledges before Pub/Sub moves it to the dead-letter topic (5-100)."
  type        = number
  default     = 10

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "Pub/Sub allows 5 to 100 delivery attempts."
  }
}

variable "bucket_name" {
  description = "Bucket for Dataflow staging/temp files and model artifacts; empty means \"<project_id>-distillwatch\"."
  type        = string
  default     = ""
}

variable "temp_file_retention_days" {
  description = "Days after which objects under staging/ and temp/ are deleted."
  type        = number
  default     = 7
}

variable "partition_expiration_days" {
  description = "Days a partition of the output tables is kept; null keeps them forever."
  type        = number
  default     = null
}

variable "dataflow_launchers" {
  description = "Members (e.g. \"group:detection-oncall@example.com\") allowed to launch Dataflow jobs as the worker service account."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Refuse to destroy the output tables (and their data) from Terraform."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels put on every labelled resource."
  type        = map(string)
  default     = { app = "distillwatch" }
}

variable "alerts_topic" {
  description = "Pub/Sub topic the detector publishes unsuppressed alerts to (--alerts-topic projects/P/topics/NAME)."
  type        = string
  default     = "distillwatch-alerts"
}
