
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_form_submissions'),
        ('audit', '0002_month_closed_and_report_withdrawn_events'),
    ]

    operations = [
    ]
