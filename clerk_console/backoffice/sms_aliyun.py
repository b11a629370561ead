"""An SMS provider that signs every request: Alibaba Cloud's SendSms (短信服务 dysmsapi), RPC
style, signature version 1.0 (HMAC-SHA1), as its "签名机制" documentation describes:

1. every parameter but ``Signature`` (the common ones: ``AccessKeyId``, ``Action``,
   ``Format``, ``RegionId``, ``SignatureMethod``, ``SignatureNonce`` (new for each request,
   against replay), ``SignatureVersion``, ``Timestamp`` (UTC, ``yyyy-MM-ddTHH:mm:ssZ``),
   ``Version``; and SendSms's ``PhoneNumbers``, ``SignName``, ``TemplateCode``,
   ``TemplateParam``, ``OutId``) sorted by name;
2. names and values percent-encoded in UTF-8 per RFC 3986 (``A-Z a-z 0-9 - _ . ~`` kept, a
   space is ``%20``, never ``+``), joined as ``name=value`` with ``&``: the canonicalized
   query string;
3. ``StringToSign = METHOD & percentEncode("/") & percentEncode(canonicalized)``;
4. ``Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))``, sent as one more
   parameter (here in a form-encoded POST body).

``signature`` reproduces the documentation's published examples (tests/test_sms_signing.py):
SendSms with AccessKeyId ``testId``, secret ``testSecret`` -> ``zJDF+Lrzhj/ThnlvIToysFRq6t4=``.
The secret is read from an environment variable named in the SMS settings, never from the
file; the answer's ``{"Code": "OK", "BizId": ...}`` is read by ``Gateway.send``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import quote, urlencode

import httpx

from clerk_console.domain.messages import Message

from .sms import Gateway, SmsConfigError

SIGNATURE_METHOD = "HMAC-SHA1"
SIGNATURE_VERSION = "1.0"
SEND_ACTION = "SendSms"


def percent_encode(text: str) -> str:
    """RFC 3986 in UTF-8, as the provider wants it: only ``A-Z a-z 0-9 - _ . ~`` unencoded."""
    return quote(text, safe="-_.~")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}"
                    for k, v in sorted(params.items()) if k != "Signature")


def string_to_sign(method: str, params: dict[str, str]) -> str:
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def signature(secret: str, method: str, params: dict[str, str]) -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(),
                      hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class AliyunGateway(Gateway):
    """SendSms signed with the AccessKey pair: ``access_key_id`` and the secret from the
    environment variable ``secret_env`` (both in the SMS settings)."""

    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    nonce: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        c = self.config
        if not c.access_key_id or not c.secret_env:
            raise SmsConfigError("短信设置：signing = \"aliyun\" 需要 access_key_id 和 secret_env"
                                 "（保存 AccessKey Secret 的环境变量名）")
        if not os.environ.get(c.secret_env):
            raise SmsConfigError(f"短信设置：环境变量 {c.secret_env} 未设置（应为 AccessKey Secret）")
        super().__post_init__()

    def params(self, phone: str, msg: Message, out_id: str) -> dict[str, str]:
        import json

        c = self.config
        return {"AccessKeyId": c.access_key_id, "Action": SEND_ACTION, "Format": "JSON",
                "RegionId": c.region, "SignatureMethod": SIGNATURE_METHOD,
                "SignatureNonce": self.nonce(), "SignatureVersion": SIGNATURE_VERSION,
                "Timestamp": timestamp(self.clock()), "Version": c.api_version,
                "PhoneNumbers": phone, "SignName": c.sign_name,
                "TemplateCode": c.templates[msg.kind.value],
                "TemplateParam": json.dumps(msg.params, ensure_ascii=False), "OutId": out_id}

    def request(self, phone: str, msg: Message, out_id: str) -> httpx.Request:
        params = self.params(phone, msg, out_id)
        params["Signature"] = signature(os.environ.get(self.config.secret_env, ""), "POST",
                                        params)
        body = urlencode(params, quote_via=quote, safe="-_.~")
        return self.client.build_request(
            "POST", self.config.url, content=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
