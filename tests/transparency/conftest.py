from tests.transparency.test_figures import three_requests  # noqa: F401 — shared with test_page.py
