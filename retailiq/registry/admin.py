from django.contrib import admin

from .models import Job, ModelVersion


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("id", "capability", "segment", "algorithm", "status", "data_end", "training_rows", "created_at")
    list_filter = ("capability", "status", "algorithm")
    search_fields = ("algorithm", "segment", "training_data_hash")
    readonly_fields = ("created_at", "started_at", "finished_at", "activated_at")
    date_hierarchy = "created_at"


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "capability", "state", "stage", "percent", "requested_by", "attempts", "created_at")
    list_filter = ("kind", "capability", "state")
    search_fields = ("idempotency_key", "claimed_by", "message", "error")
    readonly_fields = ("created_at", "started_at", "heartbeat_at", "finished_at")
    date_hierarchy = "created_at"
