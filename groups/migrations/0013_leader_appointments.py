
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('groups', '0012_merge_input_bounds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalleaderelection',
            name='decided_by',
            field=models.CharField(blank=True, default='', max_length=100, verbose_name='决定机关'),
        ),
        migrations.AddField(
            model_name='historicalleaderelection',
            name='document_number',
            field=models.CharField(blank=True, default='', help_text='支部委派的决定文号，如：罗紫支〔2027〕3号。', max_length=50, verbose_name='决定文号'),
        ),
        migrations.AddField(
            model_name='historicalleaderelection',
            name='method',
            field=models.CharField(choices=[('elected', '党小组选举'), ('appointed', '支部委派')], default='elected', max_length=10, verbose_name='产生方式'),
        ),
        migrations.AddField(
            model_name='leaderelection',
            name='decided_by',
            field=models.CharField(blank=True, default='', max_length=100, verbose_name='决定机关'),
        ),
        migrations.AddField(
            model_name='leaderelection',
            name='document_number',
            field=models.CharField(blank=True, default='', help_text='支部委派的决定文号，如：罗紫支〔2027〕3号。', max_length=50, verbose_name='决定文号'),
        ),
        migrations.AddField(
            model_name='leaderelection',
            name='method',
            field=models.CharField(choices=[('elected', '党小组选举'), ('appointed', '支部委派')], default='elected', max_length=10, verbose_name='产生方式'),
        ),
        migrations.AlterField(
            model_name='electioncandidate',
            name='votes',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='votes received'),
        ),
        migrations.AlterField(
            model_name='historicalelectioncandidate',
            name='votes',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='votes received'),
        ),
        migrations.AddConstraint(
            model_name='leaderelection',
            constraint=models.CheckConstraint(condition=models.Q(('method', 'elected'), models.Q(models.Q(('document_number', ''), _negated=True), models.Q(('decided_by', ''), _negated=True)), _connector='OR'), name='appointment_names_its_decision', violation_error_message='支部委派须写明决定机关和决定文号。'),
        ),
    ]
