"""Peer reviews: a named reviewer from another organisation reads one return and says, standard by
standard, whether they agree with the agency's rating; the agency answers the review."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Integer
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import utcnow


class PeerReviewState(StrEnum):
    """The lifecycle of one peer review (`workflow/lifecycle/machines.py` holds its moves)."""

    ARRANGED = "arranged"
    SUBMITTED = "submitted"
    ANSWERED = "answered"
    CANCELLED = "cancelled"

    @property
    def title(self) -> str:
        return PEER_REVIEW_STATE_TITLES[self]


PEER_REVIEW_STATE_TITLES = {
    PeerReviewState.ARRANGED: "Arranged",
    PeerReviewState.SUBMITTED: "Submitted by the reviewer",
    PeerReviewState.ANSWERED: "Answered by the agency",
    PeerReviewState.CANCELLED: "Cancelled",
}

_version = Column("version_id", Integer, nullable=False)


class PeerReview(SQLModel, table=True):
    """One return paired with a peer organisation and a named reviewer there, for set dates."""

    __tablename__ = "peer_review"
    __mapper_args__ = {"version_id_col": _version}

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    peer_agency_id: int = Field(foreign_key="agency.id", index=True)
    reviewer_id: int = Field(foreign_key="user_account.id", index=True)
    starts_on: date
    ends_on: date
    status: str = Field(default=PeerReviewState.ARRANGED.value, max_length=20, index=True)
    version_id: int = Field(default=1, sa_column=_version)
    arranged_by_id: int = Field(foreign_key="user_account.id")
    arranged_at: datetime = Field(default_factory=utcnow)
    summary: str = ""
    submitted_at: datetime | None = None
    agency_response: str = ""
    answered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    answered_at: datetime | None = None


class PeerReviewFinding(SQLModel, table=True):
    """The reviewer's view of one standard: agree with the rating or not, findings, recommendations."""

    __tablename__ = "peer_review_finding"
    __table_args__ = (UniqueConstraint("review_id", "standard_number"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="peer_review.id", index=True)
    standard_number: str = Field(max_length=20)
    agrees: bool
    findings: str = ""
    recommendations: str = ""
