"""``clerk-console clerk list|add|pin|unlock|disable|enable``: the window's clerk accounts.

Changes are authorised by a supervisor's id and PIN (asked in the terminal, or ``--as ID``
with the PIN as the first line of stdin); while the window has no active supervisor, ``add``
creates the first one without authorisation. A new PIN is asked twice, or read from stdin
with ``--pin-stdin`` (after the supervisor's PIN). Exit 0 done, 1 refused, 2 bad input.
The rules are in ``services/accounts.py``.
"""
from __future__ import annotations

import json
import sys

from clerk_console import config

from .signin import SignInInput as _BadInput
from .signin import credentials, secret, sign_in


def run(args) -> int:
    from clerk_console.services import ServiceError
    from clerk_console.storage.replica import Replica, ReplicaError

    path = config.home(getattr(args, "data_dir", None)) / config.REPLICA_FILE
    if not path.exists():
        print(f"本窗口还没有数据（{path} 不存在）：请先运行 clerk-console enroll 后台地址 注册码 "
              "完成窗口注册，再运行 clerk-console sync --once", file=sys.stderr)
        return 1
    try:
        with Replica.open(path) as replica:
            return _ACTIONS[args.action](replica, args)
    except _BadInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (ServiceError, ReplicaError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except EOFError:
        print("\n没有读到输入，未作任何修改：在脚本中请用 --as 工号 和 --pin-stdin 从标准输入提供 PIN",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n已取消，未作任何修改", file=sys.stderr)
        return 1


def _list(replica, args) -> int:
    from clerk_console.services import accounts

    if not accounts.list_clerks(replica):
        print(f"本窗口还没有窗口人员账号。{accounts.NO_SUPERVISOR}")
        return 0
    reader = sign_in(replica, args)  # names and roles: a signed-in clerk only
    clerks = accounts.list_clerks(replica)
    replica.audit(reader.id, "clerk.list", "clerks", {"rows": len(clerks)})
    if getattr(args, "json", False):
        for c in clerks:
            print(json.dumps({"id": c.id, "name": c.name, "role": c.role, "active": c.active,
                              "locked": c.locked}, ensure_ascii=False))
        return 0
    for c in clerks:
        state = ("在岗" if c.active else "已停用") + ("  已锁定" if c.locked else "")
        print(f"{c.id:<12}  {c.name}  {accounts.ROLE_LABELS.get(c.role, c.role)}  {state}")
    return 0


def _add(replica, args) -> int:
    from clerk_console.services import ServiceError, accounts

    clerk_id = _checked(accounts.valid_new_id, args.clerk_id)
    name = _checked(accounts.valid_name, args.name)
    accounts.unused_id(replica, clerk_id)  # say so before asking for any PIN
    if accounts.has_supervisor(replica):
        boss = _authorise(replica, args)
    elif not args.supervisor:
        raise ServiceError(accounts.NO_SUPERVISOR)
    else:
        _refuse_as_in_bootstrap(args)
        boss = None
        print("本窗口还没有在岗的负责人：本次添加无需授权，添加的负责人此后负责授权每一项账号变更。")
    clerk = accounts.add(replica, clerk_id, name, _new_pin(args), supervisor=args.supervisor,
                         by=boss)
    print(f"已添加{accounts.ROLE_LABELS[clerk.role]} {clerk.name}（工号 {clerk.id}），"
          "可运行 clerk-console run 登录。")
    return 0


def _pin(replica, args) -> int:
    from clerk_console.services import accounts

    clerk = _target(replica, args)
    boss = _authorise(replica, args)  # first: stdin holds the supervisor's PIN, then the new one
    clerk = accounts.set_pin(replica, clerk.id, _new_pin(args), by=boss)
    print(f"已为 {clerk.name}（{clerk.id}）设置新 PIN，输错次数已清零。")
    return 0


def _unlock(replica, args) -> int:
    from clerk_console.services import accounts

    if getattr(args, "code", None):
        return _unlock_with_code(replica, args)
    clerk = _target(replica, args)
    was_locked = clerk.locked
    accounts.unlock(replica, clerk.id, by=_authorise(replica, args))
    print(f"已解锁 {clerk.name}（{clerk.id}），可以重新登录。" if was_locked else
          f"{clerk.name}（{clerk.id}）未被锁定；输错次数已清零。")
    return 0


def _unlock_with_code(replica, args) -> int:
    """Every supervisor locked out: the back office's one-time code instead of a supervisor."""
    import hashlib
    from datetime import datetime

    from clerk_console.services import ServiceError, accounts
    from clerk_console.sync.token_store import window_token

    token, window = window_token(replica), replica.window()
    if not token or window is None:
        raise ServiceError("本窗口尚未在后台注册，不能使用后台解锁码")
    clerk = accounts.unlock_with_code(replica, args.clerk_id, args.code,
                                      key=hashlib.sha256(token.encode()).digest(),
                                      window_code=window.code, now=datetime.now())
    print(f"已用后台解锁码解锁 {clerk.name}（{clerk.id}），可以重新登录。")
    return 0


def _set_active(replica, args) -> int:
    from clerk_console.services import accounts

    active = args.action == "enable"
    clerk = _target(replica, args)
    changed = accounts.set_active(replica, clerk.id, active, by=_authorise(replica, args))
    label = f"{clerk.name}（{clerk.id}）"
    if not changed:
        print(f"{label}本已{'在岗' if active else '停用'}，未作修改。")
    elif active:
        print(f"已启用 {label}，可以重新登录。")
    else:
        print(f"已停用 {label}，此工号不能再登录。")
    return 0


_ACTIONS = {"list": _list, "add": _add, "pin": _pin, "unlock": _unlock,
            "disable": _set_active, "enable": _set_active}


# ---------------------------------------------------------------------------- input


def _checked(check, value):
    from clerk_console.services import ServiceError

    try:
        return check(value)
    except ServiceError as exc:
        raise _BadInput(str(exc)) from None


def _target(replica, args):
    """The account a change is about; checked before any PIN is asked."""
    from clerk_console.services import ServiceError, accounts

    if not accounts.has_supervisor(replica):
        raise ServiceError(accounts.NO_SUPERVISOR)
    return accounts.existing(replica, args.clerk_id)


def _refuse_as_in_bootstrap(args) -> None:
    if args.as_id:
        raise _BadInput("本窗口还没有在岗的负责人，无需 --as：去掉 --as 后重新运行")


def _authorise(replica, args):
    """The supervisor authorising this change (id and PIN checked like a sign-in)."""
    from clerk_console.services import accounts

    return accounts.authorise(replica, *credentials(args, "负责人", "授权"))


def _new_pin(args) -> str:
    from clerk_console.services import accounts

    if args.pin_stdin:
        return _checked(accounts.valid_pin, secret("", from_stdin=True))
    pin = _checked(accounts.valid_pin, secret("新 PIN（6 到 12 位数字）：", from_stdin=False))
    if secret("再输一次新 PIN：", from_stdin=False) != pin:
        raise _BadInput("两次输入的 PIN 不一致，未作修改，请重新运行")
    return pin
