"""The form's own words in English and Spanish, and choosing the language of a page."""

from __future__ import annotations

LANGUAGES = ("en", "es")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "page_of": "Page {page} of {pages}",
        "progress": "Progress",
        "required": "required",
        "optional": "optional",
        "next": "Save and continue",
        "back": "Back",
        "save": "Save and finish later",
        "submit": "Submit answers",
        "saved_title": "Your answers are saved",
        "saved_body": "Open the same link again, on this or any other device, to continue where you left off.",
        "continue": "Continue now",
        "thanks_title": "Thank you",
        "thanks_body": "Your answers have been received. You can close this page.",
        "unavailable_title": "This survey link cannot be used",
        "unavailable_body": "The link may be mistyped, the survey may be closed, or the link may have been used "
        "already. If you think this is a mistake, contact the person who sent it.",
        "error_summary": "There is a problem",
        "error_title_prefix": "Error: ",
        "err_required": "Answer this question.",
        "err_choice": "Choose one of the options.",
        "err_number": "Enter a number, like 12.",
        "err_number_integer": "Enter a whole number, like 12.",
        "err_number_min": "Enter a number of at least {min}.",
        "err_number_max": "Enter a number of at most {max}.",
        "err_too_long": "Use at most {max} characters.",
        "err_pages": "Some earlier pages still need answers: {pages}.",
        "choose": "Choose…",
        "language": "Language",
        "switch_language": "Español",
        "too_many_title": "Too many requests",
        "too_many_body": "Please wait a minute and try again.",
        "optout_title": "Stop survey emails",
        "optout_body": "You will receive no more emails about this survey.",
        "optout_confirm": "Stop emails",
        "optout_done": "Done. If this link was valid, no more emails about this survey will be sent to you.",
        "select_all": "Select all that apply.",
        "skip_link": "Skip to the questions",
    },
    "es": {
        "page_of": "Página {page} de {pages}",
        "progress": "Progreso",
        "required": "obligatoria",
        "optional": "opcional",
        "next": "Guardar y continuar",
        "back": "Atrás",
        "save": "Guardar y terminar más tarde",
        "submit": "Enviar respuestas",
        "saved_title": "Sus respuestas están guardadas",
        "saved_body": "Abra el mismo enlace otra vez, en este o en otro dispositivo, para continuar donde lo dejó.",
        "continue": "Continuar ahora",
        "thanks_title": "Gracias",
        "thanks_body": "Hemos recibido sus respuestas. Puede cerrar esta página.",
        "unavailable_title": "Este enlace de encuesta no se puede usar",
        "unavailable_body": "Puede que el enlace esté mal escrito, que la encuesta esté cerrada o que el enlace ya "
        "se haya usado. Si cree que es un error, contacte a quien se lo envió.",
        "error_summary": "Hay un problema",
        "error_title_prefix": "Error: ",
        "err_required": "Responda esta pregunta.",
        "err_choice": "Elija una de las opciones.",
        "err_number": "Escriba un número, por ejemplo 12.",
        "err_number_integer": "Escriba un número entero, por ejemplo 12.",
        "err_number_min": "Escriba un número mayor o igual a {min}.",
        "err_number_max": "Escriba un número menor o igual a {max}.",
        "err_too_long": "Use como máximo {max} caracteres.",
        "err_pages": "Algunas páginas anteriores aún necesitan respuestas: {pages}.",
        "choose": "Elija…",
        "language": "Idioma",
        "switch_language": "English",
        "too_many_title": "Demasiadas solicitudes",
        "too_many_body": "Espere un minuto e inténtelo de nuevo.",
        "optout_title": "Dejar de recibir correos de la encuesta",
        "optout_body": "No recibirá más correos sobre esta encuesta.",
        "optout_confirm": "Dejar de recibir correos",
        "optout_done": "Hecho. Si el enlace era válido, no le enviaremos más correos sobre esta encuesta.",
        "select_all": "Seleccione todas las que correspondan.",
        "skip_link": "Ir a las preguntas",
    },
}


def pick_language(
    requested: str | None, stored: str | None = None, accept_language: str | None = None
) -> str:
    """The page language: an explicit choice, else the invitee's stored one, else the browser's preference."""
    for candidate in (requested, stored):
        if candidate in LANGUAGES:
            return candidate
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def localized(language: str, english: str | None, spanish: str | None) -> str:
    """Spanish text when asked for and present, else the English text."""
    if language == "es" and spanish:
        return spanish
    return english or ""
