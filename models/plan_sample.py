"""The QA sub-group's yearly dip sample of live action plans, and its review of each plan drawn."""

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import utcnow


class ActionPlanSample(SQLModel, table=True):
    """One recorded random draw: with the seed and the pool it was drawn from, anyone can repeat it."""

    __tablename__ = "action_plan_sample"
    __table_args__ = (UniqueConstraint("cycle_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    seed: str = Field(max_length=64)
    pool_size: int
    drawn_by_id: int = Field(foreign_key="user_account.id")
    drawn_at: datetime = Field(default_factory=utcnow)


class SampledPlan(SQLModel, table=True):
    """A return whose live action plan was drawn, and QA's review of that plan."""

    __tablename__ = "sampled_plan"
    __table_args__ = (UniqueConstraint("sample_id", "return_id"),)

    id: int | None = Field(default=None, primary_key=True)
    sample_id: int = Field(foreign_key="action_plan_sample.id", index=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    review: str = ""
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = None
