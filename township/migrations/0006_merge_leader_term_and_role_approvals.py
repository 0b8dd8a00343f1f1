
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('township', '0004_leader_term_years_setting'),
        ('township', '0005_role_requests_wait_for_a_second_approver'),
    ]

    operations = [
    ]
