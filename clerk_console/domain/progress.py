"""The applicant's progress page: every notice's QR code is a URL ``<base>/p/<token>`` to a
mobile page on the back office showing the case's items and their states (masked). The token
is unguessable (made at the window when the case is created, so it works offline, and pushed
with the case); a case number never opens the page. Pure domain: the token itself is made
by the services (``secrets``).

>>> progress_url("https://zwfw.example.cn/hall/", "abc")
'https://zwfw.example.cn/hall/p/abc'
>>> base_error("ftp://x")
'应以 http:// 或 https:// 开头，如 https://zwfw.example.cn'
>>> base_error("https://zwfw.example.cn/a?b=1")
'不能带“?”或“#”之后的部分'
>>> base_error("https://zwfw.example.cn")
''
"""
from __future__ import annotations

from urllib.parse import urlsplit

PROGRESS_PATH = "/p/"  # the back office's route: PROGRESS_PATH + token
TOKEN_BYTES = 16  # secrets.token_urlsafe(16): 22 characters, 128 bits


def progress_url(base: str, token: str) -> str:
    """The URL the QR code encodes."""
    return f"{base.rstrip('/')}{PROGRESS_PATH}{token}"


def base_error(base: str) -> str:
    """Why ``base`` cannot be the progress page's base URL (Chinese), or ""."""
    try:
        parts = urlsplit(base.strip())
    except ValueError:
        return "不是有效的网址"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "应以 http:// 或 https:// 开头，如 https://zwfw.example.cn"
    if parts.query or parts.fragment or "?" in base or "#" in base:
        return "不能带“?”或“#”之后的部分"
    if any(ch.isspace() for ch in base.strip()):
        return "不能含空格"
    return ""
