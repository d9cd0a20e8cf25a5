"""The biometric enrolment registry over HTTP: channels report, readers ask how one certifies."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from certhub.hub.api.auth import require_in_area, require_reader
from certhub.hub.api.ingress_routes import push_one
from certhub.hub.core.keys import STORE
from certhub.hub.problems import Problem
from certhub.hub.procedure.biometrics import plan_biometric
from certhub.hub.rules.biometrics import FACE_ATTEMPTS_BEFORE_REVIEW, certification_route
from certhub.hub.store import RecordKind
from certhub.hub.store.effects import Effects
from certhub.schemas import BiometricEnrolment, BiometricModality, EnrolmentStatus
from certhub.schemas.resident_id import validate_resident_id
from certhub.security import VerifiedMessage

routes = web.RouteTableDef()


@routes.post("/v1/biometric-enrolments")
async def post_enrolment(request: web.Request) -> web.Response:
    """A channel reports a biometric model enrolled or withdrawn (status only, no template)."""
    return await push_one(request, RecordKind.BIOMETRIC, BiometricEnrolment, _plan)


@routes.get("/v1/biometric-enrolments/{person_id}")
async def get_enrolments(request: web.Request) -> web.Response:
    """A person's models, failed face attempts since the last pass, and how they can certify."""
    reader = require_reader(request)
    try:  # normalised: a number typed with a small x is the same person's
        person_id = validate_resident_id(request.match_info["person_id"])
    except ValueError:
        raise Problem("not-found", "no such person") from None
    store = request.app[STORE]
    rows = await store.get_biometrics(person_id)
    # a scoped reader sees a person the channels last placed in its area, and nobody else
    # (the latest report: a person who moved belongs to the new county, not the old)
    area = max(rows, key=lambda r: (r.occurred_at, r.sequence)).area if rows else None
    village = area if area and len(area) == 12 else None
    require_in_area(reader, area[:6] if area else None, village, detail="no such person")
    failed = await store.failed_face_attempts(person_id)
    statuses = {BiometricModality(r.modality): EnrolmentStatus(r.status) for r in rows}
    body: dict[str, Any] = {
        "person_id": person_id,
        "models": [
            {
                "modality": r.modality,
                "status": r.status,
                "occurred_at": r.occurred_at,
                "channel": r.channel,
                "record": r.sequence,
            }
            for r in rows
        ],
        "failed_face_attempts": failed,
        "face_attempts_before_review": FACE_ATTEMPTS_BEFORE_REVIEW,
        "route": certification_route(statuses, failed),
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


async def _plan(message: VerifiedMessage, enrolment: BiometricEnrolment) -> Effects:
    return plan_biometric(message, enrolment)
