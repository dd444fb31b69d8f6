"""Demo data for chains: normalised names for the core vendors and a fourth tier under the
core ledger chain (the print centre hands delivery to a courier), so the tree shows depth."""
from sqlmodel import Session, select

from ..models.vendors import Vendor
from ..services import chains as chain_service
from ..services.vendors import create_vendor, normalise_name

ORDER = 11


def load(session: Session, ctx: dict) -> None:
    """Normalise demo vendor names, add a courier at tier 4 and a second path to the cloud."""
    for vendor in session.exec(select(Vendor)):
        vendor.name_normalized = normalise_name(vendor.name)
    session.flush()
    vendors, arrangements = ctx["vendors"], ctx["arrangements"]
    courier = create_vendor(session, {"name": "株式会社配送サービス", "name_en": "Delivery Service Co., Ltd.",
                                      "corporate_number": "5010001000002", "country": "JP"})
    vendors["courier"] = courier
    core = arrangements["core"]
    chain_service.add_link(session, core, {"parent_vendor_id": vendors["print"].id,
                                                  "vendor_id": courier.id, "service": "帳票配送",
                                                  "touches_user_data": True})
    chain_service.add_link(session, core, {"parent_vendor_id": vendors["sakura_dc"].id,
                                           "vendor_id": vendors["aws"].id, "service": "バックアップ保管"})
