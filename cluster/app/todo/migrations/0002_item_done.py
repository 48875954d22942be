from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("todo", "0001_initial")]

    operations = [
        migrations.AddField(model_name="item", name="done", field=models.BooleanField(default=False)),
    ]
