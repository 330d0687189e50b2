from django.db import migrations


class Migration(migrations.Migration):
    """The case, its events, documents, history and number sequences now belong to the kernel (cases.0001).

    State only: the tables keep their atende_* names and every row stays where it is. The commercial queue
    stays here, as a proxy of the kernel's case.
    """

    dependencies = [
        ("atende", "0006_view_all_cases_permission"),
        ("cases", "0001_initial"),
        ("aprweb", "0006_technicalqueue_on_kernel_case"),
        ("deadlines", "0003_alter_deadline_case"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CommercialQueue"),
                migrations.DeleteModel(name="HistoricalAccessRequest"),
                migrations.DeleteModel(name="DocumentVersion"),
                migrations.DeleteModel(name="CaseEvent"),
                migrations.DeleteModel(name="AccessRequest"),
                migrations.DeleteModel(name="NumberSequence"),
                migrations.CreateModel(
                    name="CommercialQueue",
                    fields=[],
                    options={
                        "verbose_name": "commercial analysis queue",
                        "verbose_name_plural": "commercial analysis queue",
                        "proxy": True,
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=("cases.case",),
                ),
            ],
            database_operations=[],
        ),
    ]
