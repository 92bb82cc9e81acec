"""boto3's managed transfers (s3transfer): threaded multipart uploads and ranged, parallel downloads."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from boto3.s3.transfer import TransferConfig

MIB = 1024 * 1024


def test_upload_and_download_file(s3: Any, bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(21 * MIB))
    config = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=4)
    s3.upload_file(str(source), bucket, "big.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == 21 * MIB and head["ETag"].endswith('-3"')
    target = tmp_path / "back.bin"
    s3.download_file(bucket, "big.bin", str(target), Config=config)
    assert target.read_bytes() == source.read_bytes()
    buffer = io.BytesIO()
    s3.download_fileobj(bucket, "big.bin", buffer, Config=TransferConfig(multipart_threshold=64 * MIB))
    assert buffer.getvalue() == source.read_bytes()
