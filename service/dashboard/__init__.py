"""The program designers' web UI under /app/: server-rendered Jinja pages with a little vendored htmx."""
