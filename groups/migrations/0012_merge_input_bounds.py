
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0010_input_bounds'),
        ('groups', '0011_merge_ledger_guards_and_pending_imports'),
    ]

    operations = [
    ]
