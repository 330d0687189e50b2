"""Demo data that crosses stages (seed_demo only, never production): the one place allowed to import
several stages, because it walks a case through all of them. Listed in settings.GD_DEMO_JOURNEYS."""
