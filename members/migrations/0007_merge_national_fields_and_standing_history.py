
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0006_national_record_fields'),
        ('members', '0006_standing_history'),
    ]

    operations = [
    ]
