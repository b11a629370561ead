"""``clerk-console sms CASE_NO --opt-out|--opt-in [--phone P]``: the applicant's choice about
the back office's messages (短信) for this case, recorded at the window, signed by the clerk
(``--as ID`` with the PIN on stdin). Exit 0 done, 1 refused."""
from __future__ import annotations

import sys
from datetime import datetime

from clerk_console.commands import replica_file
from clerk_console.commands.signin import SignInInput, sign_in


def run(args) -> int:
    from clerk_console.services import ServiceError, messages
    from clerk_console.storage.replica import Replica, ReplicaError

    path = replica_file(args)
    if path is None:
        return 1
    try:
        with Replica.open(path) as replica:
            clerk = sign_in(replica, args)
            phone = messages.record_choice(replica, args.case_no, clerk_id=clerk.id,
                                           opt_out=args.opt_out, now=datetime.now(),
                                           phone=args.phone or "")
    except (ServiceError, ReplicaError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except SignInInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n已取消，未作任何修改", file=sys.stderr)
        return 1
    print(f"办件 {args.case_no}：不再发送短信" if args.opt_out
          else f"办件 {args.case_no}：短信将发往 {phone}")
    return 0
