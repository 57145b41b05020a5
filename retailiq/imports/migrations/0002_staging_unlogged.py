from django.db import migrations


def make_unlogged(apps, schema_editor):
    # Staging rows are thrown away after each batch: skipping the write-ahead log makes
    # COPY into them several times faster, and a crash only loses rows a rerun rebuilds.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE imports_stagedline SET UNLOGGED")


def make_logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE imports_stagedline SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("imports", "0001_initial")]
    operations = [migrations.RunPython(make_unlogged, make_logged)]
