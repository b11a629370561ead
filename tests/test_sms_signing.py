"""Signed SMS requests (Alibaba Cloud SendSms, HMAC-SHA1 over the canonical query): the
documentation's published example values reproduced, and a fake provider on loopback that
checks every request as the provider does (its own implementation of the documented
algorithm, the AccessKey, the timestamp's age, a nonce used once) before it answers OK."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote

import pytest

from clerk_console.backoffice import service, sms  # noqa: F401 (service first: sms alone is circular via service.facts)
from clerk_console.backoffice.sms_aliyun import (AliyunGateway, canonical_query, percent_encode,
                                                 signature, string_to_sign)
from clerk_console.domain.messages import MessageKind, message
from support import sms as sms_support
from support.sms import decided, outbox

window = sms_support.window  # the enrolled window (a fixture)
KEY_ID, SECRET, SECRET_ENV = "LTAI5tTestKeyId", "s3cret/with+chars=", "CLERK_TEST_SMS_SECRET"
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=timezone(timedelta(hours=8)))  # after the decision

# The SendSms example of the provider's signature documentation (AccessKeyId testId, secret
# testSecret): its parameters, canonical string and the signature it publishes.
DOC_PARAMS = {
    "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
    "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25"}
DOC_SIGNATURE = "zJDF+Lrzhj/ThnlvIToysFRq6t4="
# The general RPC example (ECS DescribeRegions, testid / testsecret), in its published spelling.
ECS_PARAMS = {"TimeStamp": "2016-02-23T12:46:24Z", "Format": "XML", "AccessKeyId": "testid",
              "Action": "DescribeRegions", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
              "Version": "2014-05-26", "SignatureVersion": "1.0"}
ECS_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
    "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
    "%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")
ECS_SIGNATURE = "CT9X0VtwR86fNWSnsc6v8YGOjuE="


def test_the_documented_sendsms_example_is_reproduced():
    assert signature("testSecret", "GET", DOC_PARAMS) == DOC_SIGNATURE
    assert canonical_query(DOC_PARAMS).startswith(
        "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001"
        "&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C")
    assert "TemplateParam=%7B%22customer%22%3A%22test%22%7D" in canonical_query(DOC_PARAMS)


def test_the_documented_rpc_example_is_reproduced():
    assert string_to_sign("GET", ECS_PARAMS) == ECS_STRING_TO_SIGN
    assert signature("testsecret", "GET", ECS_PARAMS) == ECS_SIGNATURE
    assert signature("testsecret", "GET", {**ECS_PARAMS, "Signature": "x"}) == ECS_SIGNATURE
    assert signature("testsecreT", "GET", ECS_PARAMS) != ECS_SIGNATURE  # the check can fail


def test_percent_encoding_is_rfc3986_not_form_encoding():
    assert percent_encode("a b*c~d+e/") == "a%20b%2Ac~d%2Be%2F"
    assert percent_encode("烟台") == "%E7%83%9F%E5%8F%B0"


class SigningProvider:
    """A fake SendSms endpoint on loopback that verifies what the provider verifies, with its
    own few lines of the documented algorithm (not the code under test)."""

    def __init__(self, secrets: dict[str, str], clock):
        self.received: list[dict[str, str]] = []
        self.refused: list[str] = []
        self.nonces: set[str] = set()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
                params = dict(parse_qsl(body, keep_blank_values=True))
                code = provider.check(params, secrets, clock())
                if code != "OK":
                    provider.refused.append(code)
                    return self.answer(400, {"Code": code, "Message": code})
                provider.received.append(params)
                self.answer(200, {"Code": "OK", "BizId": f"biz{len(provider.received)}",
                                  "RequestId": "r"})

            def answer(self, status, data):
                out = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def check(self, params: dict[str, str], secrets: dict[str, str], now: datetime) -> str:
        secret = secrets.get(params.get("AccessKeyId", ""))
        if secret is None:
            return "InvalidAccessKeyId.NotFound"
        if params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
            return "InvalidSignatureMethod"
        enc = lambda s: quote(s, safe="-_.~")  # noqa: E731
        query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items())
                         if k != "Signature")
        digest = hmac.new((secret + "&").encode(), f"POST&%2F&{enc(query)}".encode(),
                          hashlib.sha1).digest()
        if not hmac.compare_digest(base64.b64encode(digest).decode(),
                                   params.get("Signature", "")):
            return "SignatureDoesNotMatch"
        sent = datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ")
        if abs(now - sent.replace(tzinfo=timezone.utc)) > timedelta(minutes=15):
            return "InvalidTimeStamp.Expired"
        if params["SignatureNonce"] in self.nonces:
            return "SignatureNonceUsed"
        self.nonces.add(params["SignatureNonce"])
        return "OK"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    p = SigningProvider({KEY_ID: SECRET}, clock=lambda: NOW)
    yield p
    p.stop()


def signed_config(url, **kw):
    return sms.check_config({
        "url": url, "sign_name": "烟台政务服务", "hall": "烟台市政务服务中心", "signing": "aliyun",
        "access_key_id": KEY_ID, "secret_env": SECRET_ENV, "attempts": 1,
        "templates": {"result_ready": "SMS_4001", "deadline": "SMS_4002", "voided": "SMS_4003"},
        **kw})


def ready_message():
    return message(MessageKind.RESULT_READY, case_no="YT0101-20261127-0001", item="食品经营许可",
                   hall="烟台市政务服务中心")


def test_signed_requests_are_accepted_by_the_verifying_provider(provider, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET)
    gw = sms.gateway_for(signed_config(provider.url))
    gw.clock = lambda: NOW
    try:
        assert isinstance(gw, AliyunGateway)
        assert gw.send("13912345678", ready_message(), "msg-1") == "biz1"
        assert gw.send("13912345678", ready_message(), "msg-2") == "biz2"  # a new nonce each
    finally:
        gw.close()
    first, second = provider.received
    assert first["SignName"] == "烟台政务服务" and first["TemplateCode"] == "SMS_4001"
    assert first["Action"] == "SendSms" and first["Version"] == "2017-05-25"
    assert first["RegionId"] == "cn-hangzhou" and first["OutId"] == "msg-1"
    assert json.loads(first["TemplateParam"])["case_no"] == "YT0101-20261127-0001"
    assert first["SignatureNonce"] != second["SignatureNonce"] and not provider.refused
    assert SECRET not in json.dumps(provider.received)


@pytest.mark.parametrize("change, code", [
    (dict(secret="wrong"), "SignatureDoesNotMatch"),
    (dict(key_id="LTAIother"), "InvalidAccessKeyId.NotFound"),
    (dict(clock=NOW - timedelta(minutes=20)), "InvalidTimeStamp.Expired"),
    (dict(nonce="same"), "SignatureNonceUsed"),
])
def test_the_provider_refuses_what_is_not_signed_right(provider, monkeypatch, change, code):
    monkeypatch.setenv(SECRET_ENV, change.get("secret", SECRET))
    gw = sms.gateway_for(signed_config(provider.url,
                                       access_key_id=change.get("key_id", KEY_ID)))
    gw.clock = lambda: change.get("clock", NOW)
    if "nonce" in change:
        gw.nonce = lambda: "same"
        gw.send("13912345678", ready_message(), "msg-0")
    try:
        with pytest.raises(sms.GatewayError) as exc:
            gw.send("13912345678", ready_message(), "msg-1")
    finally:
        gw.close()
    assert code in str(exc.value) and not exc.value.transient
    assert provider.refused == [code]


def test_signing_settings_are_checked_in_chinese(monkeypatch, tmp_path):
    with pytest.raises(sms.SmsConfigError, match="signing 应为"):
        signed_config("http://127.0.0.1:1/", signing="tencent-v1")
    with pytest.raises(sms.SmsConfigError, match="需要 access_key_id 和"):
        signed_config("http://127.0.0.1:1/", access_key_id="")
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(sms.SmsConfigError, match=f"环境变量 {SECRET_ENV} 未设置"):
        sms.gateway_for(signed_config("http://127.0.0.1:1/"))
    assert type(sms.gateway_for(sms.check_config({
        "url": "http://127.0.0.1:1/", "sign_name": "x",
        "templates": {"result_ready": "1", "deadline": "2", "voided": "3"}}))) is sms.Gateway


def test_the_outbox_sends_a_decided_case_once_through_the_signed_provider(
        window, engine, provider, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET)
    gw = sms.gateway_for(signed_config(provider.url))
    gw.clock = lambda: NOW
    try:
        case = decided(window, engine)
        assert sms.run_round(engine, gw, NOW).sent == 1
        assert sms.run_round(engine, gw, NOW + timedelta(minutes=5)).sent == 0
    finally:
        gw.close()
    assert [r["TemplateCode"] for r in provider.received] == ["SMS_4001"]
    assert json.loads(provider.received[0]["TemplateParam"])["case_no"] == case.case_no
    assert [m["status"] for m in outbox(engine)] == ["sent"]

