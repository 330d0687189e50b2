from django.dispatch import Signal

# Sent inside the writer's transaction whenever clocks open or close. kwargs: model (the subjects' concrete
# model), subject_ids, kinds (the kinds touched, or None for "any"). A stage that copies a clock onto its own
# rows refreshes them here (aprweb: each order's due date, which the order search sorts by), so the copy never
# disagrees with the clocks, whoever moved them: a service, the sweep, a cancellation.
clocks_changed = Signal()
