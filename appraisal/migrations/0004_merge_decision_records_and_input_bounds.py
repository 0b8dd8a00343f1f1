
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('appraisal', '0003_decision_records_and_dependent_years'),
        ('appraisal', '0003_input_bounds'),
    ]

    operations = [
    ]
