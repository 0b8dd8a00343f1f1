import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('township', '0003_award_same_person_setting'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicaltownship',
            name='leader_term_years',
            field=models.PositiveSmallIntegerField(default=5, help_text="A leader serves this many years from the election; the to-do list warns three months before the term ends (default 5, the village branch committee's term).", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10)], verbose_name="party group leader's term (years)"),
        ),
        migrations.AddField(
            model_name='township',
            name='leader_term_years',
            field=models.PositiveSmallIntegerField(default=5, help_text="A leader serves this many years from the election; the to-do list warns three months before the term ends (default 5, the village branch committee's term).", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(10)], verbose_name="party group leader's term (years)"),
        ),
        migrations.AddConstraint(
            model_name='township',
            constraint=models.CheckConstraint(condition=models.Q(('leader_term_years__gte', 1), ('leader_term_years__lte', 10)), name='township_leader_term_years_range', violation_error_message="A leader's term must be between 1 and 10 years."),
        ),
    ]
