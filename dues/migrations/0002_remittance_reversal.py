import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from dues import append_only


def guard(apps, schema_editor):
    """SQLite rebuilds a table to add a column, dropping its triggers: put the append-only guard back."""
    append_only.install(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('dues', '0001_dues_book'),
        ('township', '0003_award_same_person_setting'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='remittance',
            options={'ordering': ['period_start', 'village', 'pk'], 'verbose_name': '党费上缴', 'verbose_name_plural': '党费上缴'},
        ),
        migrations.RemoveConstraint(
            model_name='remittance',
            name='dues_remittance_one_per_period',
        ),
        migrations.RemoveConstraint(
            model_name='remittance',
            name='dues_remittance_amount_positive',
        ),
        migrations.AddField(
            model_name='historicalremittance',
            name='attempt',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='第几次上缴登记'),
        ),
        migrations.AddField(
            model_name='historicalremittance',
            name='reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='冲销原因'),
        ),
        migrations.AddField(
            model_name='historicalremittance',
            name='reverses',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='dues.remittance', verbose_name='冲销的上缴'),
        ),
        migrations.AddField(
            model_name='remittance',
            name='attempt',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='第几次上缴登记'),
        ),
        migrations.AddField(
            model_name='remittance',
            name='reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='冲销原因'),
        ),
        migrations.AddField(
            model_name='remittance',
            name='reverses',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='dues.remittance', verbose_name='冲销的上缴'),
        ),
        migrations.AddConstraint(
            model_name='remittance',
            constraint=models.UniqueConstraint(condition=models.Q(('reverses__isnull', True)), fields=('village', 'period_start', 'attempt'), name='dues_remittance_one_per_period_attempt'),
        ),
        migrations.AddConstraint(
            model_name='remittance',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount__gt', 0), ('reverses__isnull', True)), models.Q(('amount__lt', 0), ('reverses__isnull', False)), _connector='OR'), name='dues_remittance_amount_sign'),
        ),
        migrations.AddConstraint(
            model_name='remittance',
            constraint=models.CheckConstraint(condition=models.Q(('reverses__isnull', True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='dues_remittance_reversal_has_reason'),
        ),
        migrations.RunPython(guard, migrations.RunPython.noop, elidable=False),
    ]
