"""The registry of processing purposes, in Danish and English, and the Art. 30 record.

Every processing of personal data in the portal names one of these purposes. A purpose has a
legal basis: ``art6_1_e`` (a task carried out by a public authority: the jobcentre's statutory
employment service, no consent asked, but the citizen may object under Art. 21) or ``art6_1_a``
(consent: only for purposes that are genuinely optional).

Texts are versioned. Consent is given to a specific text, so changing a title, text, category,
recipient or retention period means bumping the version; consent given to an older version is
then no longer valid and must be renewed. ``PUBLISHED`` holds a fingerprint of every published
version, and a test fails when a text changes without a new version.

Retention periods are defined once, here: the purpose texts, the record of processing
(``retention_schedule``) and the scheduler's purge (``consent.rights.retention_purge``) all read
the same ``Period`` constants and ``RETENTION`` rules, so changing a period changes the texts,
and with them the fingerprints, which forces a new version of every purpose that promises it.
"""

import hashlib
import json
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Literal

from consent.models import ConsentAction

LegalBasis = Literal["art6_1_a", "art6_1_e"]
CONSENT: LegalBasis = "art6_1_a"
PUBLIC_TASK: LegalBasis = "art6_1_e"


@dataclass(frozen=True)
class Localised:
    """A text in Danish (the default) and English."""

    da: str
    en: str

    def get(self, locale: str | None = None) -> str:
        """The text for ``locale`` ("da", "en", "en-GB", ...); Danish for anything else."""
        return self.en if (locale or "").lower().startswith("en") else self.da


_UNITS = {
    "months": (Localised("måned", "month"), Localised("måneder", "months")),
    "days": (Localised("dag", "day"), Localised("dage", "days")),
    "hours": (Localised("time", "hour"), Localised("timer", "hours")),
}


@dataclass(frozen=True)
class Period:
    """A retention period in one unit: whole calendar months, days or hours."""

    months: int = 0
    days: int = 0
    hours: int = 0

    def __post_init__(self) -> None:
        given = [amount for amount in (self.months, self.days, self.hours) if amount]
        if len(given) != 1 or given[0] < 0:
            raise ValueError("a period is a positive number of months, days or hours")

    def _unit(self) -> tuple[str, int]:
        for unit in ("months", "days", "hours"):
            if getattr(self, unit):
                return unit, getattr(self, unit)
        raise AssertionError("unreachable: checked in __post_init__")

    def describe(self, locale: str | None = None) -> str:
        """The period in words: "6 måneder", "2 days", ..."""
        unit, amount = self._unit()
        singular, plural = _UNITS[unit]
        return f"{amount} {(singular if amount == 1 else plural).get(locale)}"

    def cutoff(self, now: datetime) -> datetime:
        """``now`` minus the period: records older than this are due for deletion.

        Months are calendar months (31 August minus 6 months is the last day of February).
        """
        unit, amount = self._unit()
        if unit == "days":
            return now - timedelta(days=amount)
        if unit == "hours":
            return now - timedelta(hours=amount)
        year, month_index = divmod(now.year * 12 + now.month - 1 - amount, 12)
        day = min(now.day, monthrange(year, month_index + 1)[1])
        return now.replace(year=year, month=month_index + 1, day=day)


# How long records are kept. Purpose texts quote these, so a change needs a new purpose version.
CASE_DATA_KEPT = Period(months=6)  # after the case at the jobcentre is closed
COFFEE_SIGNUPS_KEPT = Period(months=6)  # after the meeting
EMAILS_KEPT = Period(months=6)
ACCESS_LOG_KEPT = Period(months=6)
SESSIONS_KEPT = Period(days=2)  # longer than a login session may last (12 hours by default)
LOGIN_ATTEMPTS_KEPT = Period(days=2)  # longer than the login throttle counts back (24 hours)
UNSUBSCRIBE_LINKS_KEPT = Period(days=1)  # after the link expired: no use keeping a dead token


class UnknownPurposeError(KeyError):
    """No purpose with that id exists."""


@dataclass(frozen=True)
class Purpose:
    """One processing purpose. Frozen: a change is a new version, never an edit."""

    id: str
    version: int
    title: Localised
    text: Localised
    legal_basis: LegalBasis
    data_categories: tuple[str, ...]
    recipients: tuple[Localised, ...]
    retention: Localised
    optional: bool
    # Kantara purposeCategory and the disclosure flags used in consent receipts.
    purpose_category: str
    third_party_disclosure: bool = False
    # Art. 6(1)(e) purposes: may the citizen switch off algorithmic processing entirely?
    allows_opt_out: bool = False
    national_basis: Localised | None = None
    extra_security: tuple[Localised, ...] = field(default=())

    def __post_init__(self) -> None:
        unknown = set(self.data_categories) - DATA_CATEGORIES.keys()
        if unknown:
            raise ValueError(f"purpose {self.id}: unknown data categories {sorted(unknown)}")
        if self.optional != (self.legal_basis == CONSENT):
            # Consent is only valid where the person can say no without losing anything.
            raise ValueError(f"purpose {self.id}: optional purposes, and only those, use consent")
        if self.allows_opt_out and self.legal_basis != PUBLIC_TASK:
            raise ValueError(f"purpose {self.id}: opt-out applies to public-task purposes")

    @property
    def consent_based(self) -> bool:
        return self.legal_basis == CONSENT

    @property
    def allowed_actions(self) -> frozenset[ConsentAction]:
        """The ledger actions a person (or a caseworker for them) may record for this purpose."""
        if self.consent_based:
            return frozenset({ConsentAction.GRANT, ConsentAction.WITHDRAW})
        actions = {ConsentAction.OBJECT, ConsentAction.OPT_IN}
        if self.allows_opt_out:
            actions.add(ConsentAction.OPT_OUT)
        return frozenset(actions)

    @property
    def sensitive(self) -> bool:
        """Does the purpose touch data that may be special-category (Art. 9) data?"""
        return any(category in SENSITIVE_CATEGORIES for category in self.data_categories)

    def fingerprint(self) -> str:
        """A short hash of everything a person consents to (see ``PUBLISHED``)."""
        material = {
            "title": [self.title.da, self.title.en],
            "text": [self.text.da, self.text.en],
            "legal_basis": self.legal_basis,
            "categories": list(self.data_categories),
            "recipients": [[r.da, r.en] for r in self.recipients],
            "retention": [self.retention.da, self.retention.en],
            "third_party_disclosure": self.third_party_disclosure,
            "allows_opt_out": self.allows_opt_out,
        }
        encoded = json.dumps(material, ensure_ascii=False, sort_keys=True).encode()
        return hashlib.sha256(encoded).hexdigest()[:16]


# --- Vocabulary ----------------------------------------------------------------------------------

DATA_CATEGORIES: Mapping[str, Localised] = MappingProxyType(
    {
        "identity": Localised("Navn og kontaktoplysninger", "Name and contact details"),
        "account": Localised("Loginoplysninger og sessioner", "Login details and sessions"),
        "cv": Localised(
            "CV: erhvervserfaring, uddannelse og kompetencer",
            "CV: work experience, education and skills",
        ),
        "job_preferences": Localised(
            "Jobønsker: stillinger, brancher, arbejdstid, transportafstand og postnummer",
            "Job wishes: occupations, industries, working hours, travel distance and postcode",
        ),
        "accessibility_needs": Localised(
            "Behov for tilpasning af arbejdet (kan være helbredsoplysninger)",
            "Needs for workplace adjustments (may be health information)",
        ),
        "match_results": Localised(
            "Jobforslag og forklaringerne på dem", "Job suggestions and their explanations"
        ),
        "swipe_history": Localised(
            "Dine svar på jobforslag (swipes) og gemte job",
            "Your answers to job suggestions (swipes) and saved jobs",
        ),
        "case": Localised(
            "Tilknytning til jobcenter og sagsbehandler", "Assignment to jobcentre and caseworker"
        ),
        "email": Localised("E-mailadresse", "Email address"),
        "coffee_meetings": Localised(
            "Tilmeldinger til kaffemøder og arbejdsgivernes svar",
            "Coffee meeting sign-ups and the employers' answers",
        ),
        "usage": Localised(
            "Brug af portalen og forløbets udfald (fx om du kommer i job)",
            "Use of the portal and outcomes (e.g. whether you find work)",
        ),
        "trial": Localised("Forsøgsgruppe i evalueringen", "Group in the evaluation trial"),
        "consent": Localised(
            "Dine samtykker, indsigelser og fravalg", "Your consents, objections and opt-outs"
        ),
        "access_log": Localised(
            "Log over, hvem der har set dine oplysninger", "Log of who has seen your information"
        ),
        "requests": Localised(
            "Dine anmodninger om indsigt, berigtigelse og sletning",
            "Your requests for access, rectification and erasure",
        ),
    }
)

# Needs for workplace adjustments can reveal health information (Art. 9); they are given
# voluntarily and are never shared with employers.
SENSITIVE_CATEGORIES = frozenset({"accessibility_needs"})

LEGAL_BASES: Mapping[str, Localised] = MappingProxyType(
    {
        CONSENT: Localised(
            "Samtykke (databeskyttelsesforordningens art. 6, stk. 1, litra a)",
            "Consent (GDPR Article 6(1)(a))",
        ),
        PUBLIC_TASK: Localised(
            "Offentlig myndighedsudøvelse (databeskyttelsesforordningens art. 6, stk. 1, litra e)",
            "Exercise of official authority (GDPR Article 6(1)(e))",
        ),
    }
)

DATA_SUBJECTS = Localised("Jobsøgende, der bruger Jobunivers", "Jobseekers using Jobunivers")
NO_THIRD_COUNTRY = Localised(
    "Ingen overførsel til lande uden for EU/EØS", "No transfer to countries outside the EU/EEA"
)
EMPLOYMENT_LAW = Localised(
    "Beskæftigelseslovgivningen: jobcentrets opgave med at hjælpe ledige i job",
    "Danish employment legislation: the jobcentre's task of helping unemployed people into work",
)
WITHIN_JOBCENTRE = Localised(
    "Medarbejdere i jobcentret, som arbejder med din sag",
    "Jobcentre staff who work on your case",
)
CASE_RETENTION = Localised(
    f"Slettes {CASE_DATA_KEPT.describe('da')} efter, at dit forløb i jobcentret er afsluttet",
    f"Deleted {CASE_DATA_KEPT.describe('en')} after your case at the jobcentre is closed",
)

SECURITY_MEASURES: tuple[Localised, ...] = (
    Localised(
        "Adgang efter rolle: sagsbehandlere ser kun de borgere, de er tilknyttet",
        "Role-based access: caseworkers only see the citizens assigned to them",
    ),
    Localised(
        "Al adgang til andres personoplysninger logges, også afviste forsøg; loggen gemmes i "
        f"{ACCESS_LOG_KEPT.describe('da')}",
        "Every access to another person's data is logged, refused attempts too; the log is kept "
        f"for {ACCESS_LOG_KEPT.describe('en')}",
    ),
    Localised(
        "Krypteret forbindelse (HTTPS) og tidsbegrænsede login-sessioner",
        "Encrypted connections (HTTPS) and time-limited login sessions",
    ),
    Localised(
        "Adgangskoder gemmes kun som Argon2-hash",
        "Passwords are stored only as Argon2 hashes",
    ),
    Localised(
        "Pseudonymisering med en hemmelig nøgle (HMAC-SHA256), som ikke ligger i databasen",
        "Pseudonymisation with a secret key (HMAC-SHA256) that is not stored in the database",
    ),
)


# --- The purposes --------------------------------------------------------------------------------

_PURPOSES: tuple[Purpose, ...] = (
    Purpose(
        id="core_matching",
        version=1,
        title=Localised("Jobforslag ud fra din profil", "Job suggestions based on your profile"),
        text=Localised(
            "Jobcentret bruger oplysningerne i din profil – dit CV, din erfaring, uddannelse og "
            "dine kompetencer og dine ønsker til job, arbejdstid og transport – til at finde "
            "ledige stillinger, der passer til dig. Det er en del af jobcentrets opgave med at "
            "hjælpe dig i job, og derfor beder vi ikke om dit samtykke. Forslagene bliver lavet "
            "af en computer, som også viser, hvorfor et job bliver foreslået. Computeren træffer "
            "ingen afgørelser om dig: Det er altid dig og din sagsbehandler, der beslutter, hvad "
            "der skal ske. Du kan gøre indsigelse mod behandlingen, og du kan når som helst "
            "fravælge de automatiske forslag helt. Så hjælper din sagsbehandler dig med at finde "
            "job uden computerens forslag.",
            "The jobcentre uses the information in your profile – your CV, experience, education "
            "and skills, and your wishes for job, working hours and travel – to find vacancies "
            "that suit you. This is part of the jobcentre's task of helping you into work, so we "
            "do not ask for your consent. The suggestions are made by a computer, which also "
            "shows why each job is suggested. The computer makes no decisions about you: you and "
            "your caseworker always decide what happens. You can object to this processing, and "
            "you can opt out of the automatic suggestions entirely at any time. Your caseworker "
            "will then help you find work without the computer's suggestions.",
        ),
        legal_basis=PUBLIC_TASK,
        data_categories=("cv", "job_preferences", "accessibility_needs", "match_results"),
        recipients=(WITHIN_JOBCENTRE,),
        retention=CASE_RETENTION,
        optional=False,
        purpose_category="Core Function",
        allows_opt_out=True,
        national_basis=EMPLOYMENT_LAW,
    ),
    Purpose(
        id="caseworker_sharing",
        version=1,
        title=Localised(
            "Din sagsbehandler kan se din profil", "Your caseworker can see your profile"
        ),
        text=Localised(
            "Din sagsbehandler i jobcentret kan se din profil, de job, portalen har foreslået "
            "dig, og hvordan du har reageret på dem, så I kan bruge det i jeres samtaler og når "
            "I planlægger din indsats. Det er en del af jobcentrets opgave, og derfor beder vi "
            "ikke om dit samtykke. Kun sagsbehandlere, der er tilknyttet dig, kan se "
            "oplysningerne, og hver gang de gør det, bliver det logget. Du kan selv se i loggen, "
            "hvem der har set dine oplysninger, og du kan gøre indsigelse mod behandlingen.",
            "Your caseworker at the jobcentre can see your profile, the jobs the portal has "
            "suggested to you and how you responded to them, so that you can use this in your "
            "meetings and when you plan your support together. This is part of the jobcentre's "
            "task, so we do not ask for your consent. Only caseworkers assigned to you can see "
            "the information, and every time they do, it is logged. You can see in the log who "
            "has looked at your information, and you can object to the processing.",
        ),
        legal_basis=PUBLIC_TASK,
        data_categories=(
            "identity",
            "cv",
            "job_preferences",
            "accessibility_needs",
            "match_results",
            "swipe_history",
            "case",
        ),
        recipients=(
            Localised(
                "Sagsbehandlere i jobcentret, som er tilknyttet dig",
                "Caseworkers at the jobcentre who are assigned to you",
            ),
        ),
        retention=CASE_RETENTION,
        optional=False,
        purpose_category="Core Function",
        national_basis=EMPLOYMENT_LAW,
    ),
    Purpose(
        id="employer_coffee",
        version=1,
        title=Localised("Kaffemøder med arbejdsgivere", "Coffee meetings with employers"),
        text=Localised(
            "Arbejdsgivere kan invitere til uformelle kaffemøder om job. Hvis du siger ja, kan "
            "arbejdsgivere, der holder kaffemøder, se de dele af din profil, der handler om "
            "arbejde: dine kompetencer, din erfaring, din uddannelse og de job, du ønsker dig. "
            "De kan ikke se dit navn eller dine kontaktoplysninger, før du selv melder dig til et "
            "møde. Så får den arbejdsgiver dit navn og din e-mailadresse, så I kan aftale mødet. "
            "Oplysninger om behov for tilpasning af arbejdet bliver aldrig delt. Det er frivilligt "
            "at sige ja, og det har ingen betydning for den hjælp, du får i jobcentret, hvis du "
            "siger nej. Du kan trække dit samtykke tilbage når som helst; derefter kan "
            "arbejdsgiverne ikke længere se din profil.",
            "Employers can invite jobseekers to informal coffee meetings about jobs. If you say "
            "yes, employers who hold coffee meetings can see the parts of your profile that are "
            "about work: your skills, experience, education and the jobs you want. They cannot "
            "see your name or contact details until you sign up for a meeting yourself. That "
            "employer then receives your name and email address so that you can arrange the "
            "meeting. Information about needs for workplace adjustments is never shared. Saying "
            "yes is voluntary, and saying no does not affect the help you get from the "
            "jobcentre. You can withdraw your consent at any time; employers can then no longer "
            "see your profile.",
        ),
        legal_basis=CONSENT,
        data_categories=("cv", "job_preferences", "identity", "coffee_meetings"),
        recipients=(
            Localised(
                "Arbejdsgivere på Jobunivers, som holder kaffemøder",
                "Employers on Jobunivers who hold coffee meetings",
            ),
        ),
        retention=Localised(
            "Profilen vises, indtil du trækker samtykket tilbage. Tilmeldinger til møder slettes "
            f"{COFFEE_SIGNUPS_KEPT.describe('da')} efter mødet.",
            "Your profile is shown until you withdraw your consent. Meeting sign-ups are deleted "
            f"{COFFEE_SIGNUPS_KEPT.describe('en')} after the meeting.",
        ),
        optional=True,
        purpose_category="Third Party Disclosure",
        third_party_disclosure=True,
    ),
    Purpose(
        id="swipe_personalisation",
        version=1,
        title=Localised("Forslag tilpasset dine swipes", "Suggestions tailored to your swipes"),
        text=Localised(
            "Når du swiper ja eller nej til jobforslag, kan vi bruge dine svar til at gøre de "
            "næste forslag mere præcise – fx ved at vise flere job, der ligner dem, du har sagt "
            "ja til. Det er frivilligt. Siger du nej, får du stadig forslag ud fra din profil, men "
            "dine swipes bliver ikke brugt til at ændre dem. Du kan trække samtykket tilbage når "
            "som helst; så holder vi op med at bruge dine swipes til at tilpasse forslagene.",
            "When you swipe yes or no on job suggestions, we can use your answers to make the "
            "next suggestions more precise – for example by showing more jobs like the ones you "
            "said yes to. This is voluntary. If you say no, you still get suggestions based on "
            "your profile, but your swipes are not used to change them. You can withdraw your "
            "consent at any time; we then stop using your swipes to tailor the suggestions.",
        ),
        legal_basis=CONSENT,
        data_categories=("swipe_history", "match_results"),
        recipients=(
            Localised(
                "Ingen – oplysningerne bruges kun i portalen",
                "None – the information is only used within the portal",
            ),
        ),
        retention=Localised(
            "Dine swipes bruges til tilpasning, indtil du trækker samtykket tilbage. Selve "
            f"swipene slettes {CASE_DATA_KEPT.describe('da')} efter, at dit forløb i jobcentret "
            "er afsluttet.",
            "Your swipes are used for tailoring until you withdraw your consent. The swipes "
            f"themselves are deleted {CASE_DATA_KEPT.describe('en')} after your case at the "
            "jobcentre is closed.",
        ),
        optional=True,
        purpose_category="Personalised Experience",
    ),
    Purpose(
        id="email_notifications",
        version=1,
        title=Localised(
            "E-mails om nye job og invitationer", "Emails about new jobs and invitations"
        ),
        text=Localised(
            "Vi sender dig en e-mail, når der er nye job, som passer til dig, og når en "
            "arbejdsgiver inviterer dig til et kaffemøde. Det er frivilligt, og du kan når som "
            "helst framelde dig i portalen. Vi bruger en e-mailudbyder til at sende e-mailene; "
            "udbyderen må kun bruge din e-mailadresse til at sende dem for os.",
            "We send you an email when there are new jobs that suit you and when an employer "
            "invites you to a coffee meeting. This is voluntary, and you can unsubscribe in the "
            "portal at any time. We use an email provider to send the emails; the provider may "
            "only use your email address to send them on our behalf.",
        ),
        legal_basis=CONSENT,
        data_categories=("email", "match_results"),
        recipients=(
            Localised(
                "E-mailudbyder (databehandler for kommunen)",
                "Email provider (data processor for the municipality)",
            ),
        ),
        retention=Localised(
            f"Indtil du framelder dig. Sendte e-mails gemmes i portalen i "
            f"{EMAILS_KEPT.describe('da')}.",
            f"Until you unsubscribe. Sent emails are kept in the portal for "
            f"{EMAILS_KEPT.describe('en')}.",
        ),
        optional=True,
        purpose_category="Contact Me",
        extra_security=(
            Localised(
                "Databehandleraftale med e-mailudbyderen",
                "Data processing agreement with the email provider",
            ),
        ),
    ),
    Purpose(
        id="research_evaluation",
        version=1,
        title=Localised("Forskning og evaluering af Jobunivers", "Research evaluating Jobunivers"),
        text=Localised(
            "Jobunivers bliver afprøvet i et forsøg, hvor forskere undersøger, om portalen "
            "hjælper ledige hurtigere i job. Hvis du siger ja, må forskerne bruge oplysninger om, "
            "hvordan du har brugt portalen, hvilke job den har foreslået dig, hvilken gruppe du "
            "er i i forsøget, og om du kommer i job. Forskerne får ikke dit navn, dit CPR-nummer "
            "eller andre oplysninger, der direkte viser, hvem du er – kun et pseudonym (en kode), "
            "som kun kommunen kan koble til dig. Resultaterne bliver kun offentliggjort samlet, "
            "så ingen kan genkende dig. Det er frivilligt og har ingen betydning for den hjælp, "
            "du får. Du kan trække samtykket tilbage når som helst; så bliver dine oplysninger "
            "ikke brugt i nye analyser.",
            "Jobunivers is being tested in a trial in which researchers study whether the portal "
            "helps unemployed people into work faster. If you say yes, the researchers may use "
            "information about how you used the portal, which jobs it suggested to you, which "
            "group you are in in the trial, and whether you find work. The researchers do not "
            "receive your name, your CPR number or anything else that directly shows who you "
            "are – only a pseudonym (a code) that only the municipality can link to you. Results "
            "are only published in aggregate, so nobody can recognise you. This is voluntary and "
            "does not affect the help you get. You can withdraw your consent at any time; your "
            "information will then not be used in new analyses.",
        ),
        legal_basis=CONSENT,
        data_categories=("usage", "match_results", "swipe_history", "job_preferences", "trial"),
        recipients=(
            Localised(
                "Forskerne bag evalueringen (kun pseudonymiserede oplysninger)",
                "The researchers evaluating the portal (pseudonymised information only)",
            ),
        ),
        retention=Localised(
            "Til evalueringen er afsluttet, dog højst 5 år efter forsøgets start",
            "Until the evaluation is finished, at most 5 years after the trial starts",
        ),
        optional=True,
        purpose_category="Research",
        third_party_disclosure=True,
        extra_security=(
            Localised(
                "Forskerne får kun pseudonymiserede udtræk; nøglen bliver i kommunen",
                "Researchers only receive pseudonymised extracts; the key stays with the "
                "municipality",
            ),
        ),
    ),
)

PURPOSES: Mapping[str, Purpose] = MappingProxyType({p.id: p for p in _PURPOSES})

# Fingerprints of every published version: {purpose id: {version: fingerprint}}. Add a line when
# a version is bumped; never change an old one (tests/test_consent_purposes.py checks this).
PUBLISHED: Mapping[str, Mapping[int, str]] = MappingProxyType(
    {
        "core_matching": {1: "6d2b83a50c99fc76"},
        "caseworker_sharing": {1: "84a49a287076531c"},
        "employer_coffee": {1: "ebd98b1b184ffc5a"},
        "swipe_personalisation": {1: "e92d8551bfd86757"},
        "email_notifications": {1: "c52cd9c21663fbe0"},
        "research_evaluation": {1: "b076a223a4281202"},
    }
)


# --- Retention ---------------------------------------------------------------------------------

Anchor = Literal["row", "parent", "case_closed"]


@dataclass(frozen=True)
class RetentionRule:
    """One kind of record, how long it is kept and from when (Art. 5(1)(e), Art. 30(1)(f)).

    ``anchor`` says where the age is read: ``row``, the row's own timestamp ``column``;
    ``parent``, the timestamp column named in ``parent`` of the row that ``column`` references
    by id; ``case_closed``, ``column`` holds a jobseeker's user id and the age counts from the
    end of their last caseworker assignment, once none is open. Tables are named, not imported
    (the application's tables live in ``app.models``); a rule for a table the schema does not
    have is skipped.
    """

    table: str
    column: str
    period: Period
    what: Localised
    counted_from: Localised
    anchor: Anchor = "row"
    parent: tuple[str, str] | None = None
    # True: the person is erased through the erasure routine (ledger tombstones, every registered
    # table, an erasure record) instead of rows being deleted one table at a time.
    by_erasure: bool = False


RETENTION: tuple[RetentionRule, ...] = (
    RetentionRule(
        "user",
        "id",
        CASE_DATA_KEPT,
        Localised(
            "Din profil, dine jobforslag og alt andet om dig i Jobunivers",
            "Your profile, your job suggestions and everything else about you in Jobunivers",
        ),
        Localised(
            "efter, at dit forløb i jobcentret er afsluttet",
            "after your case at the jobcentre is closed",
        ),
        anchor="case_closed",
        by_erasure=True,
    ),
    RetentionRule(
        "swipe",
        "user_id",
        CASE_DATA_KEPT,
        Localised("Dine svar på jobforslag (swipes)", "Your answers to job suggestions (swipes)"),
        Localised(
            "efter, at dit forløb i jobcentret er afsluttet",
            "after your case at the jobcentre is closed",
        ),
        anchor="case_closed",
    ),
    RetentionRule(
        "coffeeresponse",
        "meeting_id",
        COFFEE_SIGNUPS_KEPT,
        DATA_CATEGORIES["coffee_meetings"],
        Localised("efter mødet", "after the meeting"),
        anchor="parent",
        parent=("coffeemeeting", "starts_at"),
    ),
    RetentionRule(
        "emailoutbox",
        "created_at",
        EMAILS_KEPT,
        Localised("E-mails fra portalen", "Emails from the portal"),
        Localised("efter, at de er skrevet", "after they were written"),
    ),
    RetentionRule(
        "accesslogentry",
        "at",
        ACCESS_LOG_KEPT,
        DATA_CATEGORIES["access_log"],
        Localised("efter hver adgang", "after each access"),
    ),
    RetentionRule(
        "authsession",
        "created_at",
        SESSIONS_KEPT,
        Localised("Login-sessioner", "Login sessions"),
        Localised("efter login", "after logging in"),
    ),
    RetentionRule(
        "loginattempt",
        "created_at",
        LOGIN_ATTEMPTS_KEPT,
        Localised(
            "Mislykkede loginforsøg (pseudonymiserede)", "Failed login attempts (pseudonymised)"
        ),
        Localised("efter forsøget", "after the attempt"),
    ),
    RetentionRule(
        "unsubscribetoken",
        "expires_at",
        UNSUBSCRIBE_LINKS_KEPT,
        Localised("Afmeldingslinks i e-mails", "Unsubscribe links in emails"),
        Localised("efter, at linket er udløbet", "after the link has expired"),
    ),
)


def retention_schedule(locale: str = "da") -> list[dict[str, str]]:
    """``RETENTION`` in words for the record of processing, in the order above."""
    return [
        {
            "table": rule.table,
            "what": rule.what.get(locale),
            "deleted": f"{rule.period.describe(locale)} {rule.counted_from.get(locale)}",
        }
        for rule in RETENTION
    ]


def get(purpose_id: str) -> Purpose:
    """The purpose with this id; ``UnknownPurposeError`` if there is none."""
    try:
        return PURPOSES[purpose_id]
    except KeyError:
        raise UnknownPurposeError(purpose_id) from None


def consent_purposes() -> list[Purpose]:
    """The optional purposes the person can say yes or no to, in display order."""
    return [p for p in PURPOSES.values() if p.consent_based]


def records_of_processing(locale: str = "da") -> list[dict[str, object]]:
    """The record of processing activities (GDPR Art. 30(1)), one row per purpose.

    Rows are plain dicts ready for a page or a CSV: strings, lists of strings and the version.
    The controller's name and contact details belong to the deployment and are added by the page.
    """
    rows: list[dict[str, object]] = []
    for purpose in PURPOSES.values():
        rows.append(
            {
                "purpose_id": purpose.id,
                "version": purpose.version,
                "purpose": purpose.title.get(locale),
                "description": purpose.text.get(locale),
                "legal_basis": LEGAL_BASES[purpose.legal_basis].get(locale),
                "national_basis": (
                    purpose.national_basis.get(locale) if purpose.national_basis else ""
                ),
                "optional": purpose.optional,
                "data_subjects": DATA_SUBJECTS.get(locale),
                "data_categories": [
                    DATA_CATEGORIES[c].get(locale) for c in purpose.data_categories
                ],
                "special_categories": [
                    DATA_CATEGORIES[c].get(locale)
                    for c in purpose.data_categories
                    if c in SENSITIVE_CATEGORIES
                ],
                "recipients": [r.get(locale) for r in purpose.recipients],
                "third_country_transfers": NO_THIRD_COUNTRY.get(locale),
                "retention": purpose.retention.get(locale),
                "security_measures": [
                    m.get(locale) for m in (*SECURITY_MEASURES, *purpose.extra_security)
                ],
            }
        )
    return rows
