"""The data model: every table of the product, imported here so one metadata knows them all."""

from models.account_token import AccountToken
from models.action import Action, ActionUpdate
from models.agency import Agency
from models.audit_return import Answer, AuditReturn, DeadlineExtension
from models.bounce import DeliveryEvent
from models.carry_forward import CarriedStandard
from models.commissioning import CommissionerComment
from models.cycle import Cycle, CycleAgency
from models.evidence import EvidenceFile, EvidenceRequest
from models.good_practice import GoodPractice
from models.history import HistoryRecord
from models.intelligence import IntelligenceEntry
from models.key_theme import KeyTheme
from models.outbox import OutboxMessage
from models.partnership import (
    AgencyMember,
    AgencyPartnership,
    CyclePartnership,
    Partnership,
    PartnershipMember,
    owned_by_a_partnership,
)
from models.peer_review import PeerReview, PeerReviewFinding
from models.plan_sample import ActionPlanSample, SampledPlan
from models.qa import Challenge, QaSelection
from models.qa_meeting import QaMeeting, QaMeetingItem
from models.reuse import ReusedAnswer, ReusedEvidence
from models.statement import ComplianceStatement
from models.submission import SubmissionCopy
from models.survey import (
    CycleSurvey,
    SurveyImport,
    SurveyLink,
    SurveyQuestion,
    SurveyQuestionStandard,
    SurveyRateWindow,
    SurveyResponse,
    SurveyResponseAnswer,
    SurveyScaleRow,
)
from models.template import Question, Standard, Template
from models.throttle import Throttle
from models.user import User, UserRole

owned_by_a_partnership(Cycle)
owned_by_a_partnership(Template)

__all__ = [
    "AccountToken",
    "Action",
    "ActionPlanSample",
    "ActionUpdate",
    "Agency",
    "AgencyMember",
    "AgencyPartnership",
    "Answer",
    "AuditReturn",
    "CarriedStandard",
    "Challenge",
    "CommissionerComment",
    "ComplianceStatement",
    "Cycle",
    "CycleAgency",
    "CyclePartnership",
    "CycleSurvey",
    "DeadlineExtension",
    "DeliveryEvent",
    "EvidenceFile",
    "EvidenceRequest",
    "GoodPractice",
    "HistoryRecord",
    "IntelligenceEntry",
    "KeyTheme",
    "OutboxMessage",
    "Partnership",
    "PartnershipMember",
    "PeerReview",
    "PeerReviewFinding",
    "QaMeeting",
    "QaMeetingItem",
    "QaSelection",
    "Question",
    "ReusedAnswer",
    "ReusedEvidence",
    "SampledPlan",
    "Standard",
    "SubmissionCopy",
    "SurveyImport",
    "SurveyLink",
    "SurveyQuestion",
    "SurveyQuestionStandard",
    "SurveyRateWindow",
    "SurveyResponse",
    "SurveyResponseAnswer",
    "SurveyScaleRow",
    "Template",
    "Throttle",
    "User",
    "UserRole",
]
