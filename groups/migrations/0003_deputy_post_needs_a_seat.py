# A deputy post with a NULL seat made the check constraint unknown (which SQL lets pass) and slipped past the
# two-seat unique constraint: spell out that a deputy's seat is not NULL.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0002_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="grouppost",
            name="post_seat_only_for_deputies",
        ),
        migrations.AddConstraint(
            model_name="grouppost",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("role", "deputy"), ("seat__in", [1, 2]), ("seat__isnull", False)),
                    models.Q(models.Q(("role", "deputy"), _negated=True), ("seat__isnull", True)),
                    _connector="OR",
                ),
                name="post_seat_only_for_deputies",
            ),
        ),
    ]
