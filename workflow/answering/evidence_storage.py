"""Where evidence bytes are kept: a local folder (the embedded default) or an S3-compatible bucket.

Both keep a file under its SHA-256 and nothing else, so a name can never choose where bytes land
and the same content uploaded twice is stored once. The bucket is for running on more than one
web machine: every machine reads what any other stored. Objects are written private (no ACL is
ever set) and read back only through the product, after `workflow` has checked who may see them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from workflow.answering.evidence_files import CheckedFile

if TYPE_CHECKING:  # boto3 is imported only when a bucket is configured
    from workflow.settings import EvidenceSettings

HEX = frozenset("0123456789abcdef")


class MissingEvidence(LookupError):
    """The store has no file with that SHA-256 (lost, or not yet restored from a backup)."""


class StoreUnreachable(RuntimeError):
    """The store cannot be read or written just now; the message says why, without secrets."""


class EvidenceStore(Protocol):
    """What the product needs from any place that keeps evidence files."""

    def save(self, checked: CheckedFile) -> object:
        """Keep the bytes under their SHA-256; storing the same content again does nothing."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The file's bytes as a stream; raises MissingEvidence."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def hashes(self) -> Iterator[str]:
        """Every SHA-256 held, for backups and the restore check."""
        ...

    def check(self) -> None:
        """Raise StoreUnreachable unless the store answers (for /readyz and `s11 check-config`)."""
        ...

    def describe(self) -> str:
        """Where the files are, in words an operator recognises (no secrets)."""
        ...


def checked_digest(sha256: str) -> str:
    """The digest itself, or ValueError: only a SHA-256 may name a stored file."""
    if len(sha256) != 64 or not set(sha256) <= HEX:
        raise ValueError("not a SHA-256 hex digest")
    return sha256


class FolderStore:
    """Files on disk under one folder, outside the web root, in sub-folders by the first two hex digits."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        digest = checked_digest(sha256)
        return self.root / digest[:2] / digest

    def save(self, checked: CheckedFile) -> Path:
        """Write once, atomically; the same content uploaded twice is stored once."""
        path = self.path_for(checked.sha256)
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.part")
        temporary.write_bytes(checked.data)
        os.replace(temporary, path)
        return path

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as file:
            return file.read()

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path_for(sha256).open("rb")
        except FileNotFoundError:
            raise MissingEvidence(sha256) from None

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def hashes(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/*")):
            if len(path.name) == 64 and set(path.name) <= HEX:
                yield path.name

    def check(self) -> None:
        """The folder exists (or can be made) and this process can write to it."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnreachable(f"the evidence folder {self.root} cannot be made: {error.strerror}") from None
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreUnreachable(f"the evidence folder {self.root} is not writable by this process")

    def describe(self) -> str:
        return f"folder {self.root.resolve()}"


class S3Store:
    """Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph), keyed `<prefix><sha256>`.

    Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a shared
    credentials file, or the machine's role), never from this product's code or database.
    """

    def __init__(
        self, bucket: str, *, prefix: str = "evidence/", endpoint_url: str | None = None, region: str | None = None
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        config = Config(
            signature_version="s3v4",
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 4, "mode": "standard"},
            # On-premises servers (MinIO, Ceph) are usually addressed by path, not by a DNS name per bucket.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
        )
        self._client = boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region, config=config)

    def key_for(self, sha256: str) -> str:
        return f"{self.prefix}{checked_digest(sha256)}"

    def save(self, checked: CheckedFile) -> str:
        """Put the object unless it is already there; no ACL is given, so it stays private."""
        key = self.key_for(checked.sha256)
        if not self.exists(checked.sha256):
            self._call(
                self._client.put_object, Bucket=self.bucket, Key=key, Body=checked.data,
                ContentType="application/octet-stream", Metadata={"sha256": checked.sha256},
            )
        return key

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as body:
            return body.read()

    def open(self, sha256: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self._call(self._client.get_object, Bucket=self.bucket, Key=self.key_for(sha256), pass_404=True)["Body"]
        except ClientError as error:
            if _status(error) == 404:
                raise MissingEvidence(sha256) from None
            raise

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._call(self._client.head_object, Bucket=self.bucket, Key=self.key_for(sha256), pass_404=True)
        except ClientError as error:
            if _status(error) == 404:
                return False
            raise
        return True

    def hashes(self) -> Iterator[str]:
        paginator = self._client.get_paginator("list_objects_v2")
        for page in self._call(paginator.paginate, Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if len(name) == 64 and set(name) <= HEX:
                    yield name

    def check(self) -> None:
        """The bucket answers to these credentials."""
        self._call(self._client.head_bucket, Bucket=self.bucket)

    def describe(self) -> str:
        where = self.endpoint_url or "AWS S3"
        return f"bucket {self.bucket} at {where}, keys {self.prefix}<sha256>"

    def _call(self, method, *, pass_404: bool = False, **kwargs):
        """Call boto3, turning a store that does not answer (or refuses us) into StoreUnreachable."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return method(**kwargs)
        except ClientError as error:
            if _status(error) == 404 and pass_404:  # the caller says what a missing object means
                raise
            code = error.response.get("Error", {}).get("Code", "error")
            raise StoreUnreachable(f"the evidence bucket {self.bucket} refused the request ({code})") from None
        except BotoCoreError as error:
            raise StoreUnreachable(f"the evidence bucket {self.bucket} cannot be reached: {type(error).__name__}") from None


def _status(error) -> int | None:
    return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def store_from_settings(settings: EvidenceSettings, default_folder: Path) -> EvidenceStore:
    """The store the settings name: a bucket when S11_EVIDENCE_STORE=s3, else the folder."""
    if settings.kind == "s3":
        return S3Store(
            settings.bucket, prefix=settings.prefix, endpoint_url=settings.endpoint_url or None, region=settings.region or None
        )
    return FolderStore(Path(settings.folder) if settings.folder else default_folder)

