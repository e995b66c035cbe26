"""Fixtures for the tests of the OpenAPI schema, its docs and the fuzz run."""

import json

from django.apps import apps
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from accounts.models import Reseller, VpnUser


def generate_schema():
    """Return the OpenAPI schema as the JSON document /1.0/openapi.json serves."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def _rows_of(model, reseller):
    """Return the rows of model that belong to reseller, or None when model has no path to a reseller."""
    field_names = {field.name for field in model._meta.get_fields()}
    if model is Reseller:
        rows = model.objects.filter(pk=reseller.pk)
    elif "reseller" in field_names:
        rows = model.objects.filter(reseller=reseller)
    elif "user" in field_names and model._meta.get_field("user").related_model is VpnUser:
        rows = model.objects.filter(user__reseller=reseller)
    else:
        return None
    return [
        {name: bytes(value) if isinstance(value, memoryview) else value for name, value in row.items()}
        for row in rows.order_by("pk").values()
    ]


def snapshot_reseller_data(reseller):
    """Return every stored row of the project's apps that belongs to reseller, keyed by model label.

    Models are found through a reseller foreign key, or a user foreign key
    to VpnUser, so models added later are covered without editing this.
    """
    snapshot = {}
    for app_label in ("accounts", "vpnapi", "stats"):
        for model in apps.get_app_config(app_label).get_models():
            rows = _rows_of(model, reseller)
            if rows is not None:
                snapshot[model._meta.label] = rows
    return snapshot
