"""The S3 storage backend against a real S3 endpoint: moto's server on a free local port.

The app talks to it through boto3 exactly as it would to MinIO or AWS (endpoint URL,
credentials from the AWS_* environment variables); nothing of ours is replaced.
"""
import hashlib
import io
import uuid
from urllib.parse import quote

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlmodel import func, select

from tests import factories
from tests.certificates.factories import JP_NAME, pdf_bytes, upload_certificate
from tests.ports import refusing_port
from vendorrisk.certificates.models import Certificate
from vendorrisk.core.models import StoredFile
from vendorrisk.core.storage_s3 import S3Backend


@pytest.fixture(scope="module")
def s3_endpoint():
    """A running S3 server for this module's tests (on a port it bound itself: none found free
    first, which another process could take meanwhile); its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Test credentials where boto3 reads them; the machine's own AWS config is kept out."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "vendorrisk-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "vendorrisk-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def bucket(s3_endpoint, aws_env):
    """A fresh, empty bucket on the server; its name."""
    name = f"vendorrisk-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    return name


@pytest.fixture
def s3(s3_endpoint, aws_env):
    """A client of our own, to look into the bucket behind the app's back."""
    return boto3.client("s3", endpoint_url=s3_endpoint)


@pytest.fixture
def app_config(s3_endpoint, bucket):
    return {"STORAGE_BACKEND": "s3", "S3_BUCKET": bucket, "S3_ENDPOINT_URL": s3_endpoint}


def _object_keys(s3, bucket) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def _counts(db):
    db.rollback()
    return (db.exec(select(func.count()).select_from(Certificate)).one(),
            db.exec(select(func.count()).select_from(StoredFile)).one())


def _form(data):
    return {"type": "soc2_type2", "issuer": "監査法人", "period_start": "2025-04-01",
            "period_end": "2026-03-31", "file": (io.BytesIO(data), JP_NAME)}


def test_page_upload_lands_in_the_bucket_and_downloads_byte_identical(app, client, login, api, db, s3, bucket):
    vendor = factories.gen_vendor(db)
    db.commit()
    auditor = api("auditor")
    login("compliance")
    data = pdf_bytes("ISMS 認証 2026")
    digest = hashlib.sha256(data).hexdigest()
    response = client.post(f"/certificates/vendor/{vendor.id}/new", content_type="multipart/form-data",
                           data=_form(data))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _object_keys(s3, bucket) == [S3Backend.key(digest)]
    assert s3.get_object(Bucket=bucket, Key=S3Backend.key(digest))["Body"].read() == data
    db.rollback()
    certificate = db.exec(select(Certificate)).one()

    page = client.get(f"/certificates/{certificate.id}/file")
    assert page.status_code == 200 and page.data == data
    disposition = f"filename*=UTF-8''{quote(JP_NAME, safe='')}"
    assert disposition in page.headers["Content-Disposition"]
    via_api = auditor.get(f"/api/v1/certificates/{certificate.id}/file")
    assert via_api.status_code == 200 and via_api.data == data
    assert via_api.mimetype == "application/pdf" and disposition in via_api.headers["Content-Disposition"]


def test_the_same_content_is_one_object(app, api, db, s3, bucket):
    first, second = factories.gen_vendor(db), factories.gen_vendor(db)
    db.commit()
    client = api("compliance")
    data = pdf_bytes("Group SOC 2")
    assert upload_certificate(client, first.id, data=data).status_code == 201
    again = upload_certificate(client, second.id, data=data, filename="グループ報告書.pdf")
    assert again.status_code == 201 and again.get_json()["duplicate"] is True
    assert upload_certificate(client, first.id, data=pdf_bytes("Another report")).status_code == 201
    assert len(_object_keys(s3, bucket)) == 2
    assert _counts(db) == (3, 2)


def _assert_refused_and_nothing_stored(response, reason, db):
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "storage_unavailable" and error["details"]["reason"] == reason
    assert "nothing was saved" in error["message"]
    assert _counts(db) == (0, 0)


class TestMissingBucket:
    @pytest.fixture
    def app_config(self, s3_endpoint, aws_env):
        return {"STORAGE_BACKEND": "s3", "S3_BUCKET": "vendorrisk-no-such-bucket",
                "S3_ENDPOINT_URL": s3_endpoint}

    def test_api_upload_is_refused_clearly(self, app, api, db):
        vendor = factories.gen_vendor(db)
        db.commit()
        response = upload_certificate(api("compliance"), vendor.id)
        _assert_refused_and_nothing_stored(response, "NoSuchBucket", db)
        assert response.get_json()["error"]["details"]["bucket"] == "vendorrisk-no-such-bucket"

    def test_page_upload_shows_the_reason_in_japanese(self, app, client, login, db):
        vendor = factories.gen_vendor(db)
        db.commit()
        login("compliance")
        response = client.post(f"/certificates/vendor/{vendor.id}/new", content_type="multipart/form-data",
                               data=_form(pdf_bytes()), headers={"Accept-Language": "ja"})
        assert response.status_code == 503
        assert "ファイル保存先が利用できません（NoSuchBucket）" in response.get_data(as_text=True)
        assert _counts(db) == (0, 0)


class TestUnreachableEndpoint:
    @pytest.fixture
    def app_config(self, aws_env):
        with refusing_port() as port:  # nothing listens there for the whole test
            yield {"STORAGE_BACKEND": "s3", "S3_BUCKET": "vendorrisk-files", "S3_ENDPOINT_URL": f"http://127.0.0.1:{port}"}

    def test_upload_is_refused_clearly(self, app, api, db):
        vendor = factories.gen_vendor(db)
        db.commit()
        _assert_refused_and_nothing_stored(upload_certificate(api("compliance"), vendor.id),
                                           "EndpointConnectionError", db)


def test_an_object_gone_from_the_bucket_is_a_clear_download_error(app, api, db, s3, bucket):
    vendor = factories.gen_vendor(db)
    db.commit()
    client = api("compliance")
    body = upload_certificate(client, vendor.id).get_json()
    s3.delete_object(Bucket=bucket, Key=S3Backend.key(body["sha256"]))
    response = client.get(f"/api/v1/certificates/{body['id']}/file")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "storage_unavailable" and error["details"]["reason"] == "NoSuchKey"
    assert "could not be read" in error["message"]
