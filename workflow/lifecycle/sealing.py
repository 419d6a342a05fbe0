"""The history's secret key, kept outside the database, and the seal (HMAC-SHA256) it makes.

Anyone with write access to the database can recompute a plain hash, so a forged or rewritten
record would look intact. A seal needs the key, which lives in `S11_HISTORY_KEY`, or in a key file
(`S11_HISTORY_KEY_FILE`, else `history.key` in the instance folder, which `s11 demo` and
`s11 history make-key` write). Keep it away from the database and its backups' readers, and back it
up: without it the history can still be read but no longer checked.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_VARIABLE = "S11_HISTORY_KEY"
KEY_FILE_VARIABLE = "S11_HISTORY_KEY_FILE"
KEY_FILE_NAME = "history.key"
HOW_TO_MAKE_ONE = (
    "The history's secret key is missing, so history records can be neither sealed nor checked. "
    f"Run `s11 history make-key` to write one to instance/{KEY_FILE_NAME} (or to the file named by "
    f"{KEY_FILE_VARIABLE}), or set {KEY_VARIABLE} to a long random secret, for example the output of "
    "`python -c 'import secrets; print(secrets.token_hex(32))'`. Keep it outside the database, and back it up."
)


class MissingHistoryKey(RuntimeError):
    """No key was configured: the product must not start writing an unsealed history."""

    def __init__(self) -> None:
        super().__init__(HOW_TO_MAKE_ONE)


def key_file(environ: dict[str, str] | None = None) -> Path:
    """Where the key file is looked for: S11_HISTORY_KEY_FILE, else the instance folder's."""
    env = os.environ if environ is None else environ
    if env.get(KEY_FILE_VARIABLE):
        return Path(env[KEY_FILE_VARIABLE])
    return Path(env.get("S11_INSTANCE", "instance")) / KEY_FILE_NAME


def history_key(environ: dict[str, str] | None = None) -> bytes:
    """The configured key, from the environment or the key file; MissingHistoryKey if neither."""
    env = os.environ if environ is None else environ
    if env.get(KEY_VARIABLE):
        return env[KEY_VARIABLE].encode()
    path = key_file(env)
    return _read_key_file(str(path.resolve()), path.stat().st_mtime_ns if path.exists() else 0)


_cache: dict[tuple[str, int], bytes] = {}


def _read_key_file(path: str, modified: int) -> bytes:
    if not modified:
        raise MissingHistoryKey()
    if (path, modified) not in _cache:
        key = Path(path).read_text().strip().encode()
        if not key:
            raise MissingHistoryKey()
        _cache[(path, modified)] = key
    return _cache[(path, modified)]


def has_key(environ: dict[str, str] | None = None) -> bool:
    try:
        history_key(environ)
    except MissingHistoryKey:
        return False
    return True


def make_key_file(path: Path) -> bool:
    """Write a new random key to `path`, readable by its owner only; never replaces one (False then)."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(32) + "\n")
    return True


def seal(message: bytes, *, purpose: str = "record") -> str:
    """HMAC-SHA256 of the message under the key, separated by purpose (a record, a checkpoint)."""
    return hmac.new(history_key(), purpose.encode() + b"\x00" + message, hashlib.sha256).hexdigest()


def seal_matches(message: bytes, expected: str, *, purpose: str = "record") -> bool:
    return hmac.compare_digest(seal(message, purpose=purpose), expected or "")
