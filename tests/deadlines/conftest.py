from tests.aprweb.conftest import apr_client, awaiting_case, order, rt_registration, submitted_order  # noqa: F401
