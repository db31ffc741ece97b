from django.db import migrations, models


class Migration(migrations.Migration):
    # The name-prefix indexes gain the first name's key: the block "name and first name both
    # starting with what was typed" no longer filters thousands of rows of a common name in
    # the table (identities/search.py). Prefix look-ups on the name alone still use them.

    dependencies = [
        ('identities', '0005_search_names'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='identity', name='identity_birth_name_prefix'),
        migrations.RemoveIndex(model_name='identity', name='identity_used_name_prefix'),
        migrations.AddIndex(
            model_name='identity',
            index=models.Index(fields=['birth_name_key', 'first_name_key'], name='identity_bn_fn'),
        ),
        migrations.AddIndex(
            model_name='identity',
            index=models.Index(fields=['used_name_key', 'first_name_key'], name='identity_un_fn'),
        ),
    ]
