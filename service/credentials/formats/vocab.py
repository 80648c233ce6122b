"""Small controlled vocabularies: O*NET-SOC / SOC codes, Connecting Credentials Framework levels and domains,
CTDL credential classes and CTIDs."""

from __future__ import annotations

import re
import uuid

SOC_CODE = re.compile(r"^(\d{2})-?(\d{4})(?:\.(\d{2}))?$")
SOC_IN_TEXT = re.compile(r"(?<![\d.])(\d{2}-\d{4}(?:\.\d{2})?)(?![\d])")
CTID = re.compile(r"^ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
CTID_IN_TEXT = re.compile(r"ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)

# The Connecting Credentials Framework's four domains, by the spellings designers use.
CCF_DOMAINS = {
    "knowledge": "knowledge",
    "specialized": "specialized",
    "specialised": "specialized",
    "specialized skills": "specialized",
    "specialised skills": "specialized",
    "specialized skill": "specialized",
    "personal": "personal",
    "personal skills": "personal",
    "personal skill": "personal",
    "social": "social",
    "social skills": "social",
    "social skill": "social",
}
DOMAINS = ("knowledge", "specialized", "personal", "social")

CCF_LEVEL_URN = "urn:connecting-credentials:level:"
CCF_DOMAIN_URN = "urn:connecting-credentials:domain:"

# CTDL credential classes (ceterms:Credential and its subclasses) without the prefix; names ending in one of
# CREDENTIAL_SUFFIXES are credential classes too (ceterms:BachelorOfScienceDegree,
# ceterms:ProfessionalDoctorate).
CREDENTIAL_CLASSES = frozenset(
    {
        "Credential",
        "ApprenticeshipCertificate",
        "AssociateDegree",
        "BachelorDegree",
        "Badge",
        "Certificate",
        "CertificateOfCompletion",
        "CertificateOfParticipation",
        "Certification",
        "Degree",
        "DigitalBadge",
        "Diploma",
        "DoctoralDegree",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "License",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "OpenBadge",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
        "BasicTechnicalCertificate",
        "AcademicCertificate",
        "ProficiencyCertificate",
        "SpecialistDegree",
        "PostBaccalaureateCertificate",
        "PostMasterCertificate",
    }
)
CREDENTIAL_SUFFIXES = (
    "Degree",
    "Certificate",
    "Certification",
    "Badge",
    "Diploma",
    "License",
    "Doctorate",
    "Credential",
)
# The classes the shipped CTDL JSON Schema knows; an export of any other type is written as a Certificate.
FRAMEWORK_TYPE = "CompetencyFramework"


def is_credential_class(name: str) -> bool:
    if name in CREDENTIAL_CLASSES:
        return True
    return name.endswith(CREDENTIAL_SUFFIXES) and not name.endswith("Organization")


def is_web_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE))


def is_concept_uri(value: str) -> bool:
    """Skill concepts are named by web URIs (ESCO) or URNs (O*NET technology skills, custom)."""
    return is_web_url(value) or bool(re.match(r"^urn:[a-z0-9][a-z0-9-]*:\S+$", value, re.IGNORECASE))


def normalise_occupation(value: str) -> str | None:
    """'15-1232.00' and '15-1232' stay as they are; '151232' becomes '15-1232'; anything else is None."""
    match = SOC_CODE.match(value.strip())
    if not match:
        return None
    major, minor, detail = match.groups()
    return f"{major}-{minor}.{detail}" if detail else f"{major}-{minor}"


def parse_level(value: object) -> int | None:
    """A CCF level 1–8 from 4, '4', 'Level 4', 'L4', 'CCF level 4' or a URN/URL ending in /4 or :4."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 8 else None
    if isinstance(value, float) and value.is_integer():
        return parse_level(int(value))
    text = str(value).strip().lower()
    if not text:
        return None
    match = re.fullmatch(r"(?:ccf\s*)?(?:level|lvl|l)?\s*[-:]?\s*([1-8])", text) or re.search(
        r"(?:level[/:_-]?|[/:])([1-8])$", text
    )
    return int(match.group(1)) if match else None


def parse_domain(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).strip().lower().replace("_", " ").split())
    if text.startswith(CCF_DOMAIN_URN):
        text = text[len(CCF_DOMAIN_URN) :]
    return CCF_DOMAINS.get(text)


def ctid_from(value: str | None) -> str | None:
    """The CTID inside a registry URI (…/resources/ce-…, …/graph/ce-…) or the value itself if it is one."""
    if not value:
        return None
    match = CTID_IN_TEXT.search(value)
    return match.group(0).lower() if match else None


def new_ctid() -> str:
    return f"ce-{uuid.uuid4()}"


def derived_ctid(*parts: object) -> str:
    """A stable CTID for a record that has none of its own (same parts, same CTID)."""
    return f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, 'skillpulse:' + ':'.join(str(p) for p in parts))}"
