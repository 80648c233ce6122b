"""skillpulse service: the application and composition root (settings, database, auth, app factory, CLI)."""
