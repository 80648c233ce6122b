"""`skillpulse secrets`: make keys, re-encrypt what is stored (rotation steps: README, "Secrets at rest")."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

secrets_app = typer.Typer(
    help="Encryption at rest of webhook secrets, source credentials and mail links.", no_args_is_help=True
)
console = Console(stderr=True)


@secrets_app.command("generate-key")
def generate_key() -> None:
    """Print a new Fernet key for SKILLPULSE_SECRET_KEYS (put it first; keep the old ones until rotated)."""
    from service.crypto import generate_key as new_key

    typer.echo(new_key())


@secrets_app.command("rotate")
def rotate() -> None:
    """Re-encrypt every stored secret with the first key of SKILLPULSE_SECRET_KEYS (plaintext ones too)."""
    from service.cli_support import cli_settings as _settings
    from service.cli_support import fail as _fail
    from service.crypto import SecretsError, keyring_of
    from service.db import create_engine
    from service.secrets_rotation import rotate_all

    settings = _settings()

    async def run():  # noqa: ANN202 - Rotated
        engine = create_engine(settings)
        try:
            return await rotate_all(engine, keyring_of(engine))
        finally:
            await engine.dispose()

    try:
        done = asyncio.run(run())
    except SecretsError as exc:
        raise _fail(str(exc)) from None
    console.print(
        f"re-encrypted with the first key: {done.webhook_secrets} webhook secrets, {done.source_configs} "
        f"import-source configs, {done.mail_links} queued mail links; sealed {done.legacy_mail_sealed} "
        "live links of older queued mail. Keys after the first may now be removed."
    )
