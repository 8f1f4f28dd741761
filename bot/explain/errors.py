"""Bad input, said in one clear sentence (Dutch and English), never a traceback."""

from __future__ import annotations

import errno

MB = 1024 * 1024
MAX_BYTES = 25 * MB  # a file (or the one file inside a zip) larger than this is refused

_MESSAGES: dict[str, tuple[str, str]] = {
    "too_large": (
        "Het bestand is groter dan 25 MB; zo groot is een 325-retourbericht niet. "
        "Controleer of u het goede bestand heeft.",
        "The file is larger than 25 MB; a 325 retour message is never that large. "
        "Check that you picked the right file.",
    ),
    "empty": ("Het bestand is leeg.", "The file is empty."),
    "unreadable": (  # the sentence depends on the reason: see _UNREADABLE
        "Het bestand kan niet worden geopend of gelezen (systeemfout {code}).",
        "The file cannot be opened or read (system error {code}).",
    ),
    "not_xml": (
        "Dit is geen XML-bestand; een 325-retourbericht is XML (of een zip met één XML-bestand erin).",
        "This is not an XML file; a 325 retour message is XML (or a zip holding one XML file).",
    ),
    "broken_xml": (
        "Het XML-bestand is onvolledig of beschadigd (regel {line}); "
        "download het retourbericht opnieuw uit VECOZO.",
        "The XML file is incomplete or damaged (line {line}); download the retour message from VECOZO again.",
    ),
    "hostile": (
        "Het bestand bevat een DTD of entiteiten; een 325-retourbericht heeft die nooit, "
        "dus het wordt niet gelezen.",
        "The file contains a DTD or entities; a 325 retour message never does, so it is not read.",
    ),
    "html": (
        "Dit is een webpagina (HTML), geen 325-retourbericht; download het retourbericht zelf uit VECOZO "
        "(een XML-bestand, of een zip met één XML-bestand erin).",
        "This is a web page (HTML), not a 325 retour message; download the retour message itself from VECOZO "
        "(an XML file, or a zip holding one).",
    ),
    "duplicate": (
        "{field} staat meer dan één keer in het bestand; een 325-retourbericht heeft er één, "
        "dus ik weet niet welke geldt.",
        "{field} occurs more than once in the file; a 325 retour message has one, "
        "so I cannot tell which applies.",
    ),
    "is_323": (
        "Dit is uw declaratie ({message}, berichtcode {code}), niet het antwoord van de gemeente: "
        "de retourcodes staan in het 325-antwoordbericht. Download dat in VECOZO.",
        "This is your declaration ({message}, berichtcode {code}), not the municipality's answer: "
        "the retourcodes are in the 325 answer. Download that one from VECOZO.",
    ),
    "other_message": (
        "Dit is geen 325-retourbericht maar {what}; ik leg alleen WMO325- en JW325-berichten uit.",
        "This is not a 325 retour message but {what}; I only explain WMO325 and JW325 messages.",
    ),
    "not_istandaard": (
        "Dit XML-bestand is geen iWmo- of iJw-bericht; ik leg alleen WMO325- en JW325-berichten uit.",
        "This XML file is not an iWmo or iJw message; I only explain WMO325 and JW325 messages.",
    ),
    "unknown_release": (
        "Dit {message}-bericht is van release {release}; ik ken alleen release 3.2 "
        "(de retourcodes verschillen per release), dus ik leg het niet uit.",
        "This {message} message is release {release}; I only know release 3.2 "
        "(the retourcodes differ per release), so I do not explain it.",
    ),
    "mismatch": (
        "Het bestand spreekt zichzelf tegen: de naamruimte zegt {message}, maar de BerichtCode is {code}.",
        "The file contradicts itself: its namespace says {message} but its BerichtCode is {code}.",
    ),
    "missing": (
        "In het bestand ontbreekt {field}; het is geen volledig 325-retourbericht.",
        "The file lacks {field}; it is not a complete 325 retour message.",
    ),
    "bad_value": (
        "{field} heeft geen geldige waarde (verwacht: {expected}); het is geen geldig 325-retourbericht.",
        "{field} has no valid value (expected: {expected}); it is not a valid 325 retour message.",
    ),
    "no_answer": (
        "Het bericht bevat geen declaratie-antwoord en geen retourcode die het hele bericht afkeurt; "
        "vraag de gemeente om uitleg.",
        "The message contains no declaration answer and no retourcode that rejects the whole message; "
        "ask the municipality to explain.",
    ),
    "too_long": (
        "{field} is langer dan {limit} tekens; zo lang is geen waarde in een 325-retourbericht, "
        "dus het wordt niet gelezen.",
        "{field} is longer than {limit} characters; no value in a 325 retour message is that long, "
        "so it is not read.",
    ),
    "too_deep": (
        "Het bestand is dieper genest dan een 325-retourbericht ooit is; het wordt niet gelezen.",
        "The file is nested deeper than a 325 retour message ever is; it is not read.",
    ),
    "too_many_names": (
        "Het bestand gebruikt meer verschillende namen van elementen dan een 325-retourbericht kent; "
        "het wordt niet gelezen.",
        "The file uses more different element names than a 325 retour message has; it is not read.",
    ),
    "too_many_codes": (
        "Het bestand bevat meer dan {limit} verschillende retourcodes; zoveel bestaan er niet, "
        "dus het wordt niet gelezen.",
        "The file holds more than {limit} different retourcodes; there are not that many, so it is not read.",
    ),
    "long_run": (
        "Het bestand bevat een stuk van meer dan 64 kB zonder één tag (een enorme tekst, tag of witruimte); "
        "zo is een 325-retourbericht nooit opgebouwd, dus het wordt niet gelezen.",
        "The file holds more than 64 kB without a single tag (a huge text, tag or whitespace); "
        "a 325 retour message is never built like that, so it is not read.",
    ),
    "encoding": (
        "Het bestand gebruikt een tekenset (encoding) die ik niet lees; een 325-retourbericht is UTF-8. "
        "Download het opnieuw uit VECOZO.",
        "The file uses a character encoding I do not read; a 325 retour message is UTF-8. "
        "Download it from VECOZO again.",
    ),
    "failed": (
        "Ik kon dit bestand niet lezen; het is geen leesbaar 325-retourbericht. "
        "Download het opnieuw uit VECOZO, of vraag een collega.",
        "I could not read this file; it is not a readable 325 retour message. "
        "Download it from VECOZO again, or ask a colleague.",
    ),
    "zip_bad": (
        "Het zip-bestand is beschadigd of kan niet worden gelezen; download het opnieuw uit VECOZO.",
        "The zip file is damaged or cannot be read; download it from VECOZO again.",
    ),
    "zip_empty": ("Het zip-bestand bevat geen bestand.", "The zip file contains no file."),
    "zip_many": (
        "Het zip-bestand bevat {count} bestanden; ik verwacht er één. "
        "Pak de zip uit en stuur de 325-retourberichten één voor één.",
        "The zip file contains {count} files; I expect exactly one. "
        "Unzip it and send the 325 retour messages one at a time.",
    ),
    "zip_encrypted": (
        "Het zip-bestand is met een wachtwoord beveiligd; pak het zelf uit en stuur het XML-bestand.",
        "The zip file is password protected; unzip it yourself and send the XML file.",
    ),
}


# what a field should hold, for "bad_value"
_EXPECTED: dict[str, tuple[str, str]] = {
    "integer": ("een geheel getal", "a whole number"),
    "date": ("een datum JJJJ-MM-DD", "a date YYYY-MM-DD"),
    "dc": ("D of C", "D or C"),
    "code": ("een code van 4 tekens", "a code of 4 characters"),
}


# why a file cannot be opened ("unreadable"), in the language asked: the system's own reason
# (strerror) is English whatever the language, so only its errno name is ever shown
_UNREADABLE: dict[str, tuple[str, str]] = {
    "not_found": (
        "Het bestand bestaat niet; controleer de naam en de map.",
        "There is no such file; check its name and folder.",
    ),
    "permission": (
        "U heeft geen toestemming om dit bestand te lezen.",
        "You have no permission to read this file.",
    ),
    "is_directory": (
        "Dit is een map, geen bestand; geef het 325-retourbericht zelf op.",
        "This is a folder, not a file; give the 325 retour message itself.",
    ),
}
_ERRNO_REASONS = {
    errno.ENOENT: "not_found",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
    errno.EISDIR: "is_directory",
}


def unreadable(exc: OSError) -> ExplainError:
    """The file could not be opened or read: a reason of _UNREADABLE, else "other" with the
    errno's name (ELOOP, EIO), or the exception's type when it has no errno."""
    reason = _ERRNO_REASONS.get(exc.errno or 0)
    if reason:
        return ExplainError("unreadable", reason=reason)
    code = errno.errorcode.get(exc.errno or 0) or type(exc).__name__
    return ExplainError("unreadable", reason="other", code=code)


class ExplainError(Exception):
    """Why a file cannot be explained. `kind` is stable (tests, Slack); `message(lang)` is for people."""

    def __init__(self, kind: str, **params: object) -> None:
        if kind not in _MESSAGES:
            raise KeyError(kind)
        self.kind = kind
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "nl") -> str:
        nl, en = _MESSAGES[self.kind]
        if self.kind == "unreadable":
            nl, en = _UNREADABLE.get(str(self.params.get("reason")), (nl, en))
        params = dict(self.params)
        if "expected" in params:
            params["expected"] = _EXPECTED[str(params["expected"])][1 if lang == "en" else 0]
        return (en if lang == "en" else nl).format(**params)
