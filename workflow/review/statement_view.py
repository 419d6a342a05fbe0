"""What the executive's statement page offers: sign, or (in a statement year) choose peer review.

The predicates use the same pieces as `statements.sign` and `statements.choose_peer_review`: the
lifecycle move with its roles and starting states, and the cycle-kind guard.
"""

from sqlmodel import Session, select

from models import AuditReturn, ComplianceStatement, Cycle, User
from models.cycle import CycleKind
from workflow.answering.return_view import may_move
from workflow.review.statements import YEAR_TWO_STATES


def statement_of(session: Session, return_id: int) -> ComplianceStatement | None:
    """The executive's signature or choice of peer review, once made."""
    return session.exec(
        select(ComplianceStatement).where(ComplianceStatement.return_id == return_id).order_by(ComplianceStatement.id.desc())
    ).first()


def _statement_year(session: Session, ret: AuditReturn) -> bool:
    return session.get(Cycle, ret.cycle_id).kind == CycleKind.STATEMENT_YEAR


def may_sign(session: Session, actor: User, ret: AuditReturn) -> bool:
    """An executive of the agency, the return in a state signing starts from, and in a full-audit
    year only once the action plan is open."""
    if not may_move(session, actor, ret, "sign_statement"):
        return False
    return ret.status not in YEAR_TWO_STATES or _statement_year(session, ret)


def may_choose_peer_review(session: Session, actor: User, ret: AuditReturn) -> bool:
    return may_move(session, actor, ret, "choose_peer_review") and _statement_year(session, ret)
