from django.dispatch import Signal

# Sent inside the transaction after every state change of a case (kwargs: case, event). Stage 2 mirrors the
# state onto its orders from here, so the order search filters one indexed table.
case_moved = Signal()

# The same, for many cases moved by one set-based statement (the deadline sweep). kwargs: case_ids, state.
cases_moved_in_bulk = Signal()
