# Dataflow staging/ and temp/ files, and model artifacts under models/ (versioned, so a bad model rolls back).
resource "google_storage_bucket" "pipeline" {
  name                        = local.bucket_name
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = var.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age            = var.temp_file_retention_days
      matches_prefix = ["staging/", "temp/"]
    }
    action {
      type = "Delete"
    }
  }

  # Versioning keeps a deleted temp file as a noncurrent version; drop those a day later.
  lifecycle_rule {
    condition {
      matches_prefix             = ["staging/", "temp/"]
      with_state                 = "ARCHIVED"
      days_since_noncurrent_time = 1
    }
    action {
      type = "Delete"
    }
  }

  # Old model versions: keep the last 5.
  lifecycle_rule {
    condition {
      num_newer_versions = 5
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.required]
}
