"""scan s3://... against a real S3-compatible server (moto in server mode) on loopback:
real HTTP through s3fs/botocore, no client mocks."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from dataclass_scan.api import scan
from dataclass_scan.cli import app
from dataclass_scan.config import Config
from dataclass_scan.model import Status
from fixtures.formats import EMAIL, SSN, pdf_bytes, zip_bytes

pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

BUCKET = "scan-fixtures"


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                           "AWS_CONFIG_FILE": "/nonexistent", "AWS_PROFILE": "",
                           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}.items():
            mp.setenv(key, value)
        mp.delenv("AWS_PROFILE")
        import boto3

        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket=BUCKET)
        objects = {
            "team/notes.txt": f"hello\nSSN {SSN}\n".encode(),
            "team/sub/pack.zip": zip_bytes({"inner/contact.txt": f"mail {EMAIL}\n".encode()}),
            "team/sub/report.pdf": pdf_bytes([["intro"], [f"SSN {SSN}"]]),
            "team/big.log": b"x" * 5000,
            "other/outside.txt": f"SSN {SSN}\n".encode(),
        }
        for key, body in objects.items():
            client.put_object(Bucket=BUCKET, Key=key, Body=body)
        try:
            yield endpoint
        finally:
            server.stop()


def test_scan_s3_prefix_with_locations(s3: str):
    result = scan([f"s3://{BUCKET}/team"], Config(jobs=1, max_file_size=4000))
    files = {f.path: f for f in result.files}
    base = f"s3://{BUCKET}/team"
    assert sorted(files) == [f"{base}/big.log", f"{base}/notes.txt", f"{base}/sub/pack.zip",
                             f"{base}/sub/pack.zip!inner/contact.txt", f"{base}/sub/report.pdf"]
    assert files[f"{base}/big.log"].status is Status.SKIPPED
    ssn = files[f"{base}/notes.txt"].findings[0]
    assert ssn.type == "US_SSN" and (ssn.location.line, ssn.location.column) == (2, 5)
    assert files[f"{base}/sub/pack.zip!inner/contact.txt"].findings[0].type == "EMAIL"
    assert files[f"{base}/sub/report.pdf"].findings[0].location.page == 2


def test_cli_scan_s3_json_and_exclude(s3: str):
    result = CliRunner().invoke(app, ["scan", f"s3://{BUCKET}/team", "--exclude", "sub/",
                                      "-f", "json", "--jobs", "1"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    paths = {f["path"]: f["status"] for f in report["files"]}
    assert paths[f"s3://{BUCKET}/team/notes.txt"] == "scanned"
    assert paths[f"s3://{BUCKET}/team/sub/pack.zip"] == "skipped"
    assert not any("outside" in p for p in paths)


def test_missing_bucket_is_reported_and_incomplete(s3: str):
    result = CliRunner().invoke(app, ["scan", "s3://no-such-bucket-here/x", "-f", "json",
                                      "--jobs", "1"])
    assert result.exit_code == 3, result.output
    [entry] = json.loads(result.stdout)["files"]
    assert entry["status"] == "error" and entry["errors"]


def test_extract_reads_s3(s3: str):
    result = CliRunner().invoke(app, ["extract", f"s3://{BUCKET}/team/notes.txt"])
    assert result.exit_code == 0, result.output
    assert f"s3://{BUCKET}/team/notes.txt:line 1: \n    hello\n    SSN {SSN}" in result.stdout
