"""A local S3-compatible server for the tests: moto's server mode in a process of its own, spoken to
over real HTTP on a free port of 127.0.0.1, as a MinIO or Ceph gateway would be."""

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# moto accepts any credentials; these name no real account.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "s11-test-key", "AWS_SECRET_ACCESS_KEY": "s11-test-secret", "AWS_DEFAULT_REGION": "eu-west-2"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def s3_server(log: Path) -> Iterator[str]:
    """Start the server, wait until it answers, yield its endpoint URL; stop it afterwards."""
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", "from moto.server import main; main()", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output, stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        give_up = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > give_up:
                    raise RuntimeError(f"the S3 server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
