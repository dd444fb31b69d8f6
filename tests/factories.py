"""Test data builders: ``gen_*`` functions that add, flush and return records; ``workbook``."""
import io
import itertools
from datetime import date

from openpyxl import Workbook

from vendorrisk.core import clock, users
from vendorrisk.vendors.identifiers import corporate_check_digit
from vendorrisk.vendors.models import Arrangement, OutsourcingLink, Vendor, VendorOwner
from vendorrisk.vendors.service import normalise_name

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def gen_user(session, role="compliance", email=None, language=None):
    """A user with ``PASSWORD``."""
    n = next(_seq)
    return users.create_user(session, email=email or f"{role}{n}@test.example", role=role,
                             password=PASSWORD, display_name=f"{role} {n}", language=language)


def corporate_number(n: int) -> str:
    """A valid corporate number built from a sequence number."""
    base = f"{n:012d}"
    return f"{corporate_check_digit(base)}{base}"


def gen_vendor(session, name=None, **fields):
    """A vendor; names and corporate numbers are unique per call."""
    n = next(_seq)
    vendor = Vendor(name=name or f"テスト株式会社{n}", name_en=fields.pop("name_en", f"Test Co {n}"),
                    corporate_number=fields.pop("corporate_number", corporate_number(5000 + n)), **fields)
    # as the vendor service stores it, so that duplicate checks against factory vendors bite
    vendor.name_normalized = vendor.name_normalized or normalise_name(vendor.name)
    session.add(vendor)
    session.flush()
    return vendor


def gen_arrangement(session, vendor=None, **fields):
    """An arrangement with a tier-1 vendor (created if not given)."""
    vendor = vendor or gen_vendor(session)
    fields.setdefault("title", f"Arrangement {next(_seq)}")
    fields.setdefault("start_date", date(2025, 4, 1))
    arrangement = Arrangement(vendor_id=vendor.id, **fields)
    session.add(arrangement)
    session.flush()
    return arrangement


def gen_link(session, arrangement, parent, child, **fields):
    """A sub-outsourcing link ``parent -> child`` in ``arrangement``."""
    link = OutsourcingLink(arrangement_id=arrangement.id, parent_vendor_id=parent.id,
                           vendor_id=child.id, **fields)
    session.add(link)
    session.flush()
    return link


def gen_owner(session, vendor, user):
    """Assign ``user`` as owner of ``vendor`` (Art. 26(2))."""
    owner = VendorOwner(vendor_id=vendor.id, user_id=user.id)
    session.add(owner)
    session.flush()
    return owner


def gen_check(session, vendor, checked_on=None, result="clear", next_due=None, **fields):
    """A 反社会的勢力チェック of ``vendor`` (clear and current unless told otherwise)."""
    from datetime import timedelta

    from vendorrisk.vendors.models import AntisocialCheck
    checked_on = checked_on or clock.today() - timedelta(days=10)
    check = AntisocialCheck(vendor_id=vendor.id, checked_on=checked_on, method=fields.pop("method", "database"),
                            result=result, next_due=next_due or checked_on + timedelta(days=365),
                            evidence_text=fields.pop("evidence_text", "記事検索: 該当なし"), **fields)
    session.add(check)
    session.flush()
    return check


def workbook(sheets: dict) -> bytes:
    """An .xlsx with the given sheets (title -> rows of cell values), saved as Excel saves
    one: a register to import (``vendors``, ``arrangements``, ``links``) or any other sheet."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
