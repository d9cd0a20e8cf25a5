"""Reading the settings that hold passwords: from files, and masked for logs.

The database and AMQP URLs hold passwords. Besides the environment and
``.env``, they may come from a file of the same name in the secrets folder
(:class:`SecretFileSource`: a systemd credentials folder or a Docker secrets
mount), and whatever is logged of them goes through :func:`masked_url`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

__all__ = ["SECRET_FILE_FIELDS", "SecretFileSource", "masked_url"]

SECRET_FILE_FIELDS = ("database_url", "amqp_url")
"""Settings that may be read from a file of the same name in ``SECRETS_DIR``."""


class SecretFileSource(PydanticBaseSettingsSource):
    """The settings holding passwords, read from ``SECRETS_DIR/<name>`` when not given otherwise.

    ``SECRETS_DIR`` itself comes from the sources before this one (arguments,
    environment, ``.env``), so a systemd credentials folder or a Docker
    secrets mount can hold them without the password ever being in the
    environment. A trailing newline (``echo … >file``) is not part of the value.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Not used: :meth:`__call__` reads the folder once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        """The secret files present for settings no earlier source set."""
        folder = self.current_state.get("secrets_dir")
        if not folder:
            return {}
        found: dict[str, Any] = {}
        for name in SECRET_FILE_FIELDS:
            path = Path(folder).expanduser() / name
            if name not in self.current_state and path.is_file():
                found[name] = path.read_text(encoding="utf-8").rstrip("\r\n")
        return found


def masked_url(url: SecretStr | None) -> str | None:
    """A connection URL fit for logs: scheme, user, host, port and path; the password ``***``."""
    if url is None:
        return None
    parts = urlsplit(url.get_secret_value())
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:***@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
