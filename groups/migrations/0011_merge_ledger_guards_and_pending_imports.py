
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0010_fund_ledger_database_guards'),
        ('groups', '0010_pending_imports_encrypted'),
    ]

    operations = [
    ]
