"""The questions a credential's advisory committee asks every year, generated from its competencies. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

IMPORTANCE_PER_PAGE = 6
COMPETENCY_TEXT_MAX = 1800


@dataclass(frozen=True)
class CompetencyRow:
    id: int
    text: str
    label: str | None = None


def _opt(value: str, label: str, label_es: str) -> dict:
    return {"value": value, "label": label, "label_es": label_es}


IMPORTANCE = [
    _opt("essential", "Essential", "Esencial"),
    _opt("important", "Important", "Importante"),
    _opt("useful", "Useful", "Útil"),
    _opt("not_needed", "Not needed", "No es necesaria"),
    _opt("dont_know", "Don't know", "No sé"),
]
RECOGNITION = [
    _opt("requires", "We require it", "La exigimos"),
    _opt("prefers", "We prefer it", "La preferimos"),
    _opt("not_considered", "We do not consider it", "No la tenemos en cuenta"),
    _opt("unknown", "We did not know it", "No la conocíamos"),
]
# NAICS 2022 sectors (2-digit; ranges as NAICS writes them).
SECTORS = [
    _opt("11", "Agriculture, Forestry, Fishing and Hunting", "Agricultura, silvicultura, pesca y caza"),
    _opt("21", "Mining, Quarrying, and Oil and Gas Extraction", "Minería y extracción de petróleo y gas"),
    _opt("22", "Utilities", "Servicios públicos"),
    _opt("23", "Construction", "Construcción"),
    _opt("31-33", "Manufacturing", "Manufactura"),
    _opt("42", "Wholesale Trade", "Comercio al por mayor"),
    _opt("44-45", "Retail Trade", "Comercio al por menor"),
    _opt("48-49", "Transportation and Warehousing", "Transporte y almacenamiento"),
    _opt("51", "Information", "Información"),
    _opt("52", "Finance and Insurance", "Finanzas y seguros"),
    _opt("53", "Real Estate and Rental and Leasing", "Bienes raíces y alquiler"),
    _opt(
        "54",
        "Professional, Scientific, and Technical Services",
        "Servicios profesionales, científicos y técnicos",
    ),
    _opt("55", "Management of Companies and Enterprises", "Dirección de empresas"),
    _opt(
        "56",
        "Administrative and Support and Waste Management",
        "Servicios administrativos y de apoyo y manejo de residuos",
    ),
    _opt("61", "Educational Services", "Servicios educativos"),
    _opt("62", "Health Care and Social Assistance", "Atención médica y asistencia social"),
    _opt("71", "Arts, Entertainment, and Recreation", "Artes, entretenimiento y recreación"),
    _opt("72", "Accommodation and Food Services", "Alojamiento y servicios de comida"),
    _opt(
        "81",
        "Other Services (except Public Administration)",
        "Otros servicios (excepto administración pública)",
    ),
    _opt("92", "Public Administration", "Administración pública"),
]
SIZES = [
    _opt("1-9", "1 to 9 employees", "De 1 a 9 empleados"),
    _opt("10-49", "10 to 49 employees", "De 10 a 49 empleados"),
    _opt("50-249", "50 to 249 employees", "De 50 a 249 empleados"),
    _opt("250-999", "250 to 999 employees", "De 250 a 999 empleados"),
    _opt("1000+", "1,000 employees or more", "1.000 empleados o más"),
]
PARTNERSHIP = [
    _opt("advisory_board", "Joining the advisory board", "Participar en el consejo asesor"),
    _opt("internships", "Offering internships", "Ofrecer prácticas"),
    _opt(
        "work_based_learning",
        "Work-based learning (apprenticeships, projects)",
        "Aprendizaje en el trabajo (aprendizajes, proyectos)",
    ),
]

# Roles the results read; designers' own questions have no role.
ROLE_IMPORTANCE = "importance"
ROLE_MISSING = "missing"
ROLE_RECOGNITION = "recognition"
ROLE_ROLES = "outlook_roles"
ROLE_HIRES = "outlook_hires"
ROLE_SECTOR = "sector"
ROLE_SIZE = "size"
ROLE_REGION = "region"
ROLE_PARTNERSHIP = "partnership"
SPLIT_ROLES = (ROLE_SIZE, ROLE_SECTOR, ROLE_REGION)


def _importance_text(competency: CompetencyRow) -> str:
    text = competency.text.strip()
    if competency.label and competency.label.strip() and competency.label.strip() not in text:
        text = f"{competency.label.strip()}: {text}"
    return text[:COMPETENCY_TEXT_MAX]


def generate_questions(credential_name: str, competencies: Sequence[CompetencyRow]) -> list[dict]:
    """Question rows (without ids) for a survey about one credential, in page and position order."""
    pages: list[list[dict[str, Any]]] = [
        *_importance_pages(competencies),
        _gap_page(credential_name),
        OUTLOOK_PAGE,
        PROFILE_PAGE,
    ]
    questions: list[dict] = []
    for page_number, page in enumerate(pages, start=1):
        for fields in page:
            row: dict[str, Any] = {
                "position": len(questions) + 1,
                "page": page_number,
                **QUESTION_DEFAULTS,
                **fields,
            }
            row["options"] = list(row["options"])  # each row its own list, as stored
            questions.append(row)
    return questions


QUESTION_DEFAULTS: dict[str, Any] = {
    "required": False,
    "options": [],
    "show_if": None,
    "help": None,
    "help_es": None,
    "competency_id": None,
}


def _importance_pages(competencies: Sequence[CompetencyRow]) -> list[list[dict]]:
    """One importance item per competency, spread evenly over as few pages as hold IMPORTANCE_PER_PAGE each
    (7 → 4 + 3, not 6 + 1); no page when there is no competency."""
    if not competencies:
        return []
    page_count = -(-len(competencies) // IMPORTANCE_PER_PAGE)
    per_page = -(-len(competencies) // page_count)
    items = [
        {
            "code": f"comp_{competency.id}",
            "kind": "single",
            "text": _importance_text(competency),
            "text_es": None,
            "help": "How important is this for the people you hire for this work?",
            "help_es": "¿Qué importancia tiene esto para las personas que contrata para este trabajo?",
            "options": IMPORTANCE,
            "competency_id": competency.id,
            "role": ROLE_IMPORTANCE,
        }
        for competency in competencies
    ]
    return [items[start : start + per_page] for start in range(0, len(items), per_page)]


def _gap_page(credential_name: str) -> list[dict]:
    return [
        {
            "code": "missing_skills",
            "kind": "text",
            "role": ROLE_MISSING,
            "text": "Which skills do you find missing in recent hires for this work?",
            "text_es": "¿Qué habilidades echa en falta en las personas que ha contratado recientemente para este "
            "trabajo?",
        },
        {
            "code": "recognition",
            "kind": "single",
            "role": ROLE_RECOGNITION,
            "required": True,
            "options": RECOGNITION,
            "text": f"When you hire, how do you treat the credential “{credential_name}”?",
            "text_es": f"Cuando contrata, ¿qué peso tiene la credencial «{credential_name}»?",
        },
    ]


OUTLOOK_PAGE: list[dict[str, Any]] = [
    {
        "code": "hiring_roles",
        "kind": "text",
        "role": ROLE_ROLES,
        "text": "For which roles do you expect to hire people with these skills?",
        "text_es": "¿Para qué puestos espera contratar personas con estas habilidades?",
    },
    {
        "code": "expected_hires",
        "kind": "number",
        "role": ROLE_HIRES,
        "options": [{"min": 0, "max": 100000, "integer": True}],
        "text": "How many people do you expect to hire for this work in the next 12 months?",
        "text_es": "¿Cuántas personas espera contratar para este trabajo en los próximos 12 meses?",
    },
]

PROFILE_PAGE: list[dict[str, Any]] = [
    {
        "code": "sector",
        "kind": "single",
        "role": ROLE_SECTOR,
        "options": SECTORS,
        "text": "Which sector is your organisation in?",
        "text_es": "¿En qué sector está su organización?",
    },
    {
        "code": "size",
        "kind": "single",
        "role": ROLE_SIZE,
        "options": SIZES,
        "text": "How many people does your organisation employ?",
        "text_es": "¿Cuántas personas emplea su organización?",
    },
    {
        "code": "region",
        "kind": "text",
        "role": ROLE_REGION,
        "text": "In which region do you hire for this work (for example, a county or metro area)?",
        "text_es": "¿En qué región contrata para este trabajo (por ejemplo, un condado o área metropolitana)?",
    },
    {
        "code": "partnership",
        "kind": "multiple",
        "role": ROLE_PARTNERSHIP,
        "options": PARTNERSHIP,
        "text": "Would your organisation be interested in any of these?",
        "text_es": "¿Le interesaría a su organización alguna de estas opciones?",
    },
]


def survey_title(credential_name: str) -> tuple[str, str]:
    return (f"Employer survey: {credential_name}"[:500], f"Encuesta a empleadores: {credential_name}"[:500])


def survey_intro(credential_name: str) -> tuple[str, str]:
    return (
        f"We run the credential “{credential_name}”. Your answers tell us what to teach. "
        "It takes about five minutes, and you can save and finish later.",
        f"Ofrecemos la credencial «{credential_name}». Sus respuestas nos dicen qué enseñar. "
        "Le llevará unos cinco minutos y puede guardar y terminar más tarde.",
    )
