"""The data model: every table of the product, imported here so one metadata knows them all."""

from models.account_token import AccountToken
from models.action import Action, ActionUpdate
from models.agency import Agency
from models.audit_return import Answer, AuditReturn, DeadlineExtension
from models.bounce import DeliveryEvent
from models.cycle import Cycle, CycleAgency
from models.evidence import EvidenceFile, EvidenceRequest
from models.history import HistoryRecord
from models.outbox import OutboxMessage
from models.qa import Challenge, QaSelection
from models.statement import ComplianceStatement
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
from models.user import User, UserRole

__all__ = [
    "AccountToken",
    "Action",
    "ActionUpdate",
    "Agency",
    "Answer",
    "AuditReturn",
    "Challenge",
    "ComplianceStatement",
    "Cycle",
    "CycleAgency",
    "CycleSurvey",
    "DeadlineExtension",
    "DeliveryEvent",
    "EvidenceFile",
    "EvidenceRequest",
    "HistoryRecord",
    "OutboxMessage",
    "QaSelection",
    "Question",
    "Standard",
    "SurveyImport",
    "SurveyLink",
    "SurveyQuestion",
    "SurveyQuestionStandard",
    "SurveyRateWindow",
    "SurveyResponse",
    "SurveyResponseAnswer",
    "SurveyScaleRow",
    "Template",
    "User",
    "UserRole",
]
