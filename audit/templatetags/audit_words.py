"""Filters for the auditor's pages: `detail_lines` and `object_type_label` (audit.labels)."""
from django import template

from audit import labels

register = template.Library()
register.filter("detail_lines", labels.detail_lines)
register.filter("object_type_label", labels.object_type_label)
