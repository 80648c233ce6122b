"""`python -m service` is the `skillpulse` command."""

from service.cli import main

main()
