from celery import shared_task

from gdportal.locks import one_at_a_time


@shared_task(name="compensation.expiring_credits")
@one_at_a_time("compensation.expiring_credits")
def expiring_credits():
    """Daily: credits that expire within 90 days (idempotent, see notices.py)."""
    from .notices import notify_expiring_credits

    return notify_expiring_credits()


@shared_task(name="compensation.yearly_statements")
@one_at_a_time("compensation.yearly_statements")
def yearly_statements():
    """Every January: the year that closed (idempotent per titular and year)."""
    from .notices import send_yearly_statements

    return send_yearly_statements()
