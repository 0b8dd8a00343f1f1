# Joins the two halves of the room, built side by side: meetings, and the committee's visits with the posts.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("orglife", "0001_meetings"),
        ("orglife", "0001_visits_and_posts"),
    ]

    operations = []
