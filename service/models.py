"""Every table, imported in one place so that SQLModel.metadata is complete (Alembic, tests)."""

from sqlmodel import SQLModel

from service.auth.models import ApiToken, Organisation, SignInThrottle, User
from service.credentials.models import Competency, CompetencySkill, Credential, CredentialImport, SkillConcept
from service.demand.models import Alert, AlertEvent, DriftRun, JobClaim, Webhook, WebhookDelivery
from service.notifications.models import AlertDigest, NotificationPreference
from service.postings.models import ImportRun, ImportSource, Posting, PostingSkill
from surveys.models import (
    OutboxEmail,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveySkillMention,
)

metadata = SQLModel.metadata

__all__ = [
    "Alert",
    "AlertDigest",
    "AlertEvent",
    "ApiToken",
    "Competency",
    "CompetencySkill",
    "Credential",
    "CredentialImport",
    "DriftRun",
    "ImportRun",
    "ImportSource",
    "JobClaim",
    "NotificationPreference",
    "Organisation",
    "OutboxEmail",
    "Posting",
    "PostingSkill",
    "SkillConcept",
    "Survey",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveySkillMention",
    "SignInThrottle",
    "User",
    "Webhook",
    "WebhookDelivery",
    "metadata",
]
