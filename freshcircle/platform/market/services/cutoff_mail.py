"""E-mail of the cut-off packing lists, after `cutoffs.send_due` wrote them to the inbox.

For every cut-off notice not yet e-mailed, each member of the producer with an e-mail address
gets the packing list as plain text (Chinese: the producers are in Fuyang); the notice is then
marked `emailed`. A member whose mail fails is reported and the notice stays unmarked, so the
next run tries again (members already reached may then get it twice: better than never).
"""

from __future__ import annotations

import json
import smtplib
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import mailer
from freshcircle.platform.models import CutoffNotice, Membership, User


@dataclass
class Mailed:
    notices: int = 0
    messages: int = 0
    failures: list[str] = field(default_factory=list)


def packing_text(detail: dict) -> tuple[str, str]:
    """Subject and body of one producer's packing list for one dispatch day."""
    subject = f"截单装箱单 {detail['dispatch_date']} · {detail['producer']}"
    lines = [f"{detail['producer']}：{detail['dispatch_date']} 发货的订单已截单，"
             f"共 {len(detail['orders'])} 个订单。", "", "按批次装箱："]
    for batch in detail["batches"]:
        kg = Decimal(batch["grams"]) / 1000
        lines.append(f"- 批次 {batch['lot']} {batch['product_zh']}：{kg:g} kg"
                     f"（{kg * 2:g} 斤），{len(batch['orders'])} 个订单")
    lines += ["", "在鲜链圈「订单」页可打印装箱单 PDF。"]
    return subject, "\n".join(lines)


def email_unsent(session: Session, smtp_url: str, sender: str) -> Mailed:
    """Mail every cut-off notice not yet e-mailed; commits after each one it finishes."""
    done = Mailed()
    for notice in session.scalars(select(CutoffNotice).where(CutoffNotice.emailed.is_(False))
                                  .order_by(CutoffNotice.id)).all():
        subject, body = packing_text(json.loads(notice.detail or "{}"))
        addresses = session.scalars(
            select(User.email).join(Membership, Membership.user_id == User.id)
            .where(Membership.producer_id == notice.producer_id, User.active.is_(True),
                   User.email.is_not(None)).order_by(User.id)).all()
        failed = False
        for address in addresses:
            try:
                mailer.send(smtp_url, sender, address, subject, body)
                done.messages += 1
            except (smtplib.SMTPException, OSError) as error:
                failed = True
                done.failures.append(f"{address}: {error}")
        if not failed:
            notice.emailed = True
            done.notices += 1
            session.commit()
    return done
