"""Demo users, one or two of every role; they all share the demo password."""
from sqlmodel import Session, select

from vendorrisk.core import users as users_service
from vendorrisk.core.models import User

DEMO_PASSWORD = "demo-password-2026"

USERS = [
    ("admin", "admin@example.jp", "admin", "管理者 太郎", "ja"),
    ("compliance", "compliance@example.jp", "compliance", "法令 花子", "ja"),
    ("compliance2", "compliance2@example.jp", "compliance", "エマ・クラーク", "en"),
    ("procurement", "procurement@example.jp", "procurement", "調達 一郎", "ja"),
    ("owner", "owner@example.jp", "vendor_owner", "委託 次郎", "ja"),
    ("owner2", "owner2@example.jp", "vendor_owner", "伊藤 健", "en"),
    ("auditor", "auditor@example.jp", "auditor", "監査 三郎", "ja"),
]


def load(session: Session, ctx: dict) -> None:
    """Create the demo users (those already present are reused)."""
    for key, email, role, name, lang in USERS:
        existing = session.exec(select(User).where(User.email == email)).first()
        ctx["users"][key] = existing or users_service.create_user(
            session, email=email, role=role, password=DEMO_PASSWORD, display_name=name, language=lang)
