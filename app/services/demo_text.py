"""Danish word lists and text templates for the demo data generator (``app.services.demo``).

Everything here is fictional: people, companies and CVR numbers are made up. Names are drawn
from groups of origin so the demo population looks like Danish jobseekers do (most names Danish,
many not). Town weights are rough population figures in thousands, used only to spread demo
people and jobs the way the population is spread.
"""


def _words(text: str) -> list[str]:
    """A word list written as one string, so long lists stay readable."""
    return text.split()


# --- People ------------------------------------------------------------------------------------

# (group, weight, female first names, male first names, surnames, mother tongue)
NAME_GROUPS: list[tuple[str, float, list[str], list[str], list[str], str | None]] = [
    (
        "dansk",
        0.76,
        _words(
            """
            Anne Mette Kirsten Hanne Camilla Louise Maria Sofie Ida Emma Freja Line Julie Signe
            Katrine Pernille Susanne Lene Marianne Tina Helle Charlotte Rikke Nanna Cecilie Mathilde
            Laura Clara Astrid Karen Birgitte Dorthe Malene Stine Trine Maja Amalie Lone Vibeke
            Jette Gitte Bodil Inge Sanne Tanja Josefine Caroline Mia Anja Heidi
            """
        ),
        _words(
            """
            Jens Peter Lars Michael Henrik Søren Thomas Niels Rasmus Mads Anders Christian Martin
            Jesper Morten Frederik Mikkel Jonas Kasper Emil Oliver William Lucas Magnus Nikolaj
            Jacob Torben Bent Poul Kim Steen Ole Allan Brian Carsten Kenneth Jan Per Claus Bo Jakob
            Simon Tobias Victor Sebastian Jeppe Asger Troels Flemming Erik
            """
        ),
        _words(
            """
            Nielsen Jensen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen
            Petersen Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen
            Knudsen Jakobsen Mikkelsen Frederiksen Lund Holm Schmidt Eriksen Kristiansen Simonsen
            Clausen Svendsen Andreasen Iversen Østergaard Jeppesen Vestergaard Nissen Lauridsen Kjær
            Dam Bach Friis Bertelsen Dahl Skov Brandt Lindberg Munk Juhl
            """
        ),
        None,
    ),
    (
        "arabisk",
        0.05,
        _words(
            "Fatima Aisha Mariam Zainab Yasmin Leila Amina Sara Hiba Rasha Dima Noor Huda Rania"
        ),
        _words(
            """
            Mohammed Ahmad Ali Omar Hassan Hussein Yusuf Mustafa Karim Bilal Tariq Khaled Samir
            """
        ),
        _words("Hassan Ahmed Ali Abdullah Al-Hussein Khalil Haddad Mansour Saleh Yousef Hamdan"),
        "arabisk",
    ),
    (
        "tyrkisk",
        0.035,
        _words("Ayşe Elif Zeynep Emine Fatma Merve Esra Büşra Hatice Derya"),
        _words("Emre Mehmet Murat Kemal Ahmet Mustafa Hakan Serkan Burak Cem"),
        _words("Yılmaz Kaya Demir Şahin Çelik Öztürk Aydın Arslan Doğan Koç"),
        "tyrkisk",
    ),
    (
        "polsk",
        0.035,
        _words("Agnieszka Katarzyna Joanna Anna Magdalena Ewa Monika Aleksandra Natalia"),
        _words("Piotr Tomasz Krzysztof Marek Andrzej Paweł Michał Łukasz Dariusz"),
        _words("Nowak Wójcik Kowalczyk Mazur Krawczyk Zając Król Wróbel Dudek Pawlak"),
        "polsk",
    ),
    (
        "ukrainsk",
        0.03,
        _words("Olena Iryna Oksana Natalia Tetiana Yulia Svitlana Kateryna"),
        _words("Oleksandr Dmytro Andrii Serhii Volodymyr Mykola Yurii Vitalii"),
        _words("Shevchenko Kovalenko Bondarenko Tkachenko Kravchenko Melnyk Boiko Koval"),
        "ukrainsk",
    ),
    (
        "somalisk",
        0.02,
        _words("Hodan Amina Faduma Sahra Ifrah Hamdi Khadra Ubah"),
        _words("Abdi Abdirahman Mahad Ibrahim Abdullahi Mohamud Liban Hassan"),
        _words("Abdi Mohamed Warsame Farah Osman Hussein Jama Ismail"),
        "somali",
    ),
    (
        "rumænsk",
        0.015,
        _words("Ioana Elena Andreea Mihaela Cristina Alina"),
        _words("Andrei Mihai Alexandru Florin Bogdan Adrian"),
        _words("Popescu Ionescu Stan Dumitru Constantin Munteanu"),
        "rumænsk",
    ),
    (
        "iransk",
        0.015,
        _words("Shirin Parisa Maryam Leyla Nasrin Azadeh"),
        _words("Reza Arash Amir Dariush Babak Kaveh"),
        _words("Ahmadi Hosseini Karimi Rezaei Moradi Jafari"),
        "persisk",
    ),
    (
        "vietnamesisk",
        0.01,
        _words("Linh Mai Lan Huong Thu Hoa"),
        _words("Minh Duc Tuan Hung Nam Long"),
        _words("Nguyen Tran Le Pham Hoang Vu"),
        "vietnamesisk",
    ),
    (
        "tamilsk",
        0.01,
        _words("Kavitha Thushanthini Priya Nirosha Sharmila"),
        _words("Suresh Rajan Kumaran Arun Sivakumar"),
        _words("Sivakumar Rajendran Thevarajah Kanagaratnam Balasingam"),
        "tamil",
    ),
    (
        "bosnisk",
        0.01,
        _words("Amra Emina Lejla Selma Alma"),
        _words("Haris Emir Adnan Kenan Senad"),
        _words("Hodžić Begić Mehmedović Hadžić Kovačević"),
        "bosnisk",
    ),
    (
        "eritreisk",
        0.01,
        _words("Selam Helen Saba Lidia Yordanos"),
        _words("Dawit Tesfay Yonas Samuel Filmon"),
        _words("Tesfaye Gebremariam Haile Ghebreyesus Berhane"),
        "tigrinya",
    ),
    (
        "filippinsk",
        0.01,
        _words("Maricel Jocelyn Rowena Cherry Joy"),
        _words("Jose Mark Rommel Jericho Ramon"),
        _words("Santos Reyes Cruz Bautista Garcia"),
        "tagalog",
    ),
]

LANGUAGE_LEVELS_DANISH = ["flydende", "meget godt", "godt, Prøve i Dansk 3", "godt"]
ENGLISH_LEVELS = ["flydende", "godt", "godt", "middel", "basalt"]

PERSONAL_FALLBACK = [
    "mødestabil",
    "ansvarsbevidst",
    "god til at samarbejde",
    "løsningsorienteret",
    "struktureret",
    "positiv",
    "fleksibel",
    "omhyggelig",
    "serviceminded",
    "selvstændig",
    "rolig og tålmodig",
    "nysgerrig",
    "initiativrig",
    "empatisk",
    "udadvendt",
    "pligtopfyldende",
    "lærenem",
    "grundig",
]

# Transversal skills of the occupation file that end like this describe a person
# ("mødestabil", "i god fysisk form") and go with the personal competences, not the skills.
TRAIT_ENDINGS = tuple(
    _words("bevidst minded parat resistent stabil villig ig isk iv ret form åben andre regler")
)

PROFILE_OPENINGS = [
    "Jeg er {title_lower} med {years} års erfaring og søger nu nye udfordringer.",
    "Jeg har arbejdet som {title_lower} i {years} år og trives bedst, når jeg kan gøre en forskel.",
    "Som erfaren {title_lower} har jeg {years} års praktisk erfaring fra {n_jobs} arbejdspladser.",
    "Jeg er en {personal} {title_lower}, som har {years} års erfaring fra faget.",
    "Med {years} års erfaring som {title_lower} har jeg en solid faglig ballast, som jeg gerne "
    "vil bruge i et nyt job.",
]
PROFILE_CLOSINGS = [
    "Jeg søger et job, hvor jeg kan bruge min erfaring og samtidig lære nyt.",
    "Jeg er klar til at starte hurtigt og vil gerne være en del af et godt kollegialt fællesskab.",
    "Jeg ønsker et arbejde med faste rammer og mulighed for at udvikle mig fagligt.",
    "Jeg er åben for både fuldtid og deltid og kan også se mig selv i et beslægtet job.",
    "Jeg vil gerne bidrage med engagement, stabilitet og godt humør.",
]
CAREER_CHANGE = [
    "Jeg er motiveret for at skifte retning og vil gerne arbejde som {wish_lower}.",
    "Efter flere år i faget ønsker jeg at prøve kræfter med et job som {wish_lower}, hvor jeg "
    "kan bruge meget af det, jeg allerede kan.",
    "Jeg har fået lyst til nye udfordringer og søger job som {wish_lower}.",
]
UNSKILLED_OPENINGS = [
    "Jeg har ingen formel faglig uddannelse, men har arbejdet som {title_lower} i {years} år og "
    "lærer hurtigt nye opgaver.",
    "Jeg har praktisk erfaring som {title_lower} og er vant til at tage fat, hvor der er brug for "
    "det.",
]
PERSONAL_LINES = [
    "Jeg er {p1} og {p2}.",
    "Mine kolleger beskriver mig som {p1} og {p2}.",
    "Jeg bliver ofte beskrevet som {p1}, og jeg er {p2}.",
    "Som person er jeg {p1} og {p2}, og jeg møder altid op med godt humør.",
]
LEISURE = [
    "I min fritid går jeg til fodbold og er træner for et ungdomshold.",
    "I min fritid løber jeg og tager gerne på vandreture med familien.",
    "Jeg er frivillig i den lokale idrætsforening.",
    "Jeg holder af at lave mad og samle familie og venner.",
    "Jeg spiller i et orkester og synger i kor.",
    "I weekenderne arbejder jeg i haven eller på mit sommerhus.",
    "Jeg er frivillig lektiehjælper på biblioteket.",
    "Jeg cykler meget og har været med i Sjælland Rundt flere gange.",
    "",
    "",
]

ACCESSIBILITY = [
    "Jeg kan ikke løfte tungt på grund af en rygskade.",
    "Jeg har brug for et job uden nattevagter.",
    "Jeg er ordblind og bruger oplæsningsprogram på computeren.",
    "Jeg er bevilget fleksjob og kan arbejde op til 20 timer om ugen.",
    "Jeg har nedsat hørelse og har brug for et roligt arbejdsmiljø.",
]

# --- Education ---------------------------------------------------------------------------------

# Keyword in an education title (lower case) -> institutions. The first match wins.
INSTITUTIONS: list[tuple[tuple[str, ...], list[str]]] = [
    (
        ("social- og sundhed", "pædagogiske assistent", "sosu"),
        ["SOSU H", "SOSU Fyn", "SOSU Østjylland", "SOSU Nord", "SOSU Sjælland"],
    ),
    (("politi",), ["Politiskolen"]),
    (("officer", "forsvarsakademi"), ["Forsvarsakademiet"]),
    (("forsvaret", "værnepligt", "konstabel"), ["Forsvaret"]),
    (("brandmand",), ["Beredskabsstyrelsens Uddannelsescenter"]),
    (("lokomotiv",), ["Jernbaneskolen"]),
    (("skibsassistent",), ["Marstal Navigationsskole", "Svendborg Søfartsskole"]),
    (("fisker",), ["Skagen Skipperskole"]),
    (
        ("maskinmester",),
        [
            "Maskinmesterskolen København",
            "Aarhus Maskinmesterskole",
            "Fredericia Maskinmesterskole",
        ],
    ),
    (("arkitekt",), ["Arkitektskolen Aarhus", "Det Kongelige Akademi"]),
    (
        ("landbrug",),
        [
            "Dalum Landbrugsskole",
            "Bygholm Landbrugsskole",
            "Asmildkloster Landbrugsskole",
            "Kalø Økologisk Landbrugsskole",
        ],
    ),
    (
        ("gartner", "skov- og natur"),
        ["Jordbrugets UddannelsesCenter Århus", "Roskilde Tekniske Skole", "Kold College"],
    ),
    (
        ("ingeniør",),
        [
            "Danmarks Tekniske Universitet",
            "Aarhus Universitet",
            "Syddansk Universitet",
            "Aalborg Universitet",
        ],
    ),
    (
        ("professionsbachelor", "læreruddannelse", "sygepleje", "diplomuddannelse"),
        [
            "Københavns Professionshøjskole",
            "VIA University College",
            "UC SYD",
            "Professionshøjskolen Absalon",
            "UCL Erhvervsakademi og Professionshøjskole",
            "Professionshøjskolen UCN",
        ],
    ),
    (
        ("kandidat", "cand.", "bachelor", "hd ", "universitet"),
        [
            "Københavns Universitet",
            "Aarhus Universitet",
            "Syddansk Universitet",
            "Aalborg Universitet",
            "Roskilde Universitet",
            "Copenhagen Business School",
        ],
    ),
    (
        (
            "økonom",
            "datamatiker",
            "multimediedesigner",
            "laborant",
            "farmakonom",
            "akademi",
            "merkonom",
            "it-teknolog",
        ),
        [
            "Erhvervsakademi Aarhus",
            "Zealand – Sjællands Erhvervsakademi",
            "Cphbusiness",
            "Erhvervsakademi Dania",
            "EA Lillebælt",
            "UCN",
        ],
    ),
    (
        ("amu", "certifikat", "kørekort", "kursus", "vagtuddannelse"),
        ["AMU Fyn", "AMU Nordjylland", "AMU Syd", "AMU Vest", "AMU-Center Sjælland"],
    ),
    (
        ("kontor", "handel", "detail", "receptionist"),
        ["Niels Brock", "Tietgen", "Aarhus Business College", "Rybners", "Business College Syd"],
    ),
    (
        ("",),
        [
            "Syddansk Erhvervsskole",
            "TEC – Technical Education Copenhagen",
            "Aarhus Tech",
            "EUC Nordvest",
            "Tradium",
            "Mercantec",
            "NEXT Uddannelse København",
            "EUC Sjælland",
            "Campus Vejle",
        ],
    ),
]
# CV education titles for occupations whose required education (in the occupation file) reads
# as a list of alternatives rather than one degree; others are derived from that text.
EDUCATION_CV = {
    "Soldat": "Forsvarets grunduddannelse og konstabeluddannelse",
    "Projektleder": "Diplomuddannelse i projektledelse",
    "HR-konsulent": "Cand.merc.(hrm)",
    "Dataanalytiker": "Kandidat i statistik",
    "Plejehjemsleder": "Sygeplejerske og diplomuddannelse i ledelse",
    "Skoleleder": "Læreruddannelsen og diplomuddannelse i ledelse",
    "Gymnasielærer": "Kandidat i dansk og historie",
    "Bygningsingeniør": "Diplomingeniør i bygningsdesign",
    "Arkitekt": "Kandidat i arkitektur",
    "Psykolog": "Kandidat i psykologi (cand.psych.)",
    "Fuldmægtig": "Kandidat i statskundskab (cand.scient.pol.)",
    "Kommunikationsmedarbejder": "Professionsbachelor i kommunikation",
    "Hjemmehjælper": "Social- og sundhedshjælperuddannelsen",
    "Transportdisponent": "Erhvervsuddannelse som lager- og logistikoperatør",
    "Brandmand": "Brandmandsuddannelsen",
    "Taxachauffør": "Taxikørekort",
    "Smed": "Erhvervsuddannelse som smed",
    "Slagter": "Erhvervsuddannelse som slagter",
    "Ejendomsmægler": "Ejendomsmægleruddannelsen (Ejendomsmægler MDE)",
    "Kranfører": "Kranførercertifikat (AMU)",
    "Økonom": "Kandidat i økonomi (cand.polit.)",
    "Revisor": "Cand.merc.aud.",
    "Softwareudvikler": "Datamatiker",
    "Webudvikler": "Multimediedesigner",
}
SCHOOL_LEAVING = [
    ("Folkeskolens afgangseksamen", "{town} Skole"),
    ("Studentereksamen (stx)", "{town} Gymnasium"),
    ("Højere forberedelseseksamen (hf)", "VUC {town}"),
]

# --- Employers ---------------------------------------------------------------------------------

REGION_ADJECTIVES = {
    "Hovedstaden": ["Københavns", "Nordsjællands", "Hovedstadens", "Amager", "Bornholms"],
    "Sjælland": ["Sjællands", "Vestsjællands", "Midtsjællands", "Lolland-Falsters", "Sydsjællands"],
    "Syddanmark": ["Fynske", "Sønderjyske", "Trekantens", "Sydjyske", "Vestkystens"],
    "Midtjylland": ["Midtjyske", "Østjyske", "Djurslands", "Vestjyske", "Kronjyllands"],
    "Nordjylland": ["Nordjyske", "Vendsyssels", "Himmerlands", "Thy-Mors", "Limfjordens"],
}
FANCY_WORDS = _words(
    """
    Nordlys Kompas Fyrtårn Bølgen Ankerpunkt Egetræ Lindely Havblik Solsikke Klintholm Skovly
    Fjordglimt Bakkegården Lærkereden Stjerneskud Vindrose Kildevæld Brohoved Stenbro Marehalm
    """
)
COMPANY_FORMS = ["ApS", "ApS", "ApS", "A/S", "A/S", "I/S"]

# An occupation's sector decides which employers post it and how their ads describe the
# workplace. The industry of the occupation file decides, unless a title keyword is more precise
# (a dentist is "Sundhed og omsorg" but works at a dental clinic). First matching keyword wins.
INDUSTRY_SECTOR = {
    "Forsvar": "defence",
    "Kontor og administration": "office",
    "Handel": "retail",
    "Hotel og restaurant": "hospitality",
    "Undervisning": "education",
    "Sundhed og omsorg": "health",
    "Transport og logistik": "transport",
    "Pædagogik og socialt arbejde": "social",
    "Økonomi og finans": "finance",
    "IT og tele": "it",
    "Jura": "legal",
    "Ingeniør og teknik": "engineering",
    "Bygge og anlæg": "construction",
    "Medier og kommunikation": "media",
    "Salg og marketing": "sales",
    "Offentlig administration": "public",
    "Laboratorie og forskning": "lab",
    "Dyrepleje": "animals",
    "Industri og produktion": "manufacturing",
    "Turisme og rejser": "travel",
    "Personlig service": "salon",
    "Rengøring og ejendomsservice": "cleaning",
    "Sikkerhed og beredskab": "security",
    "Landbrug, skov og fiskeri": "agriculture",
    "Gartneri og grønne områder": "green",
    "Jern, metal og auto": "metal",
    "Fødevarer": "food",
}
TITLE_SECTOR = [
    ("social- og sundhed", "care"),
    ("hjemmehjælp", "care"),
    ("plejehjem", "care"),
    ("tandl", "dental"),
    ("tandpleje", "dental"),
    ("farma", "pharmacy"),
    ("ambulance", "ambulance"),
    ("socialpædagog", "social"),
    ("socialrådgiv", "social"),
    ("pædagog", "childcare"),
    ("politi", "police"),
    ("brandmand", "fire"),
    ("lokomotiv", "rail"),
    ("buschauffør", "bus"),
    ("taxa", "taxi"),
    ("postbud", "courier"),
    ("cykelbud", "courier"),
    ("bagage", "airport"),
    ("matros", "maritime"),
    ("fisker", "maritime"),
    ("arkitekt", "architecture"),
    ("industrimekaniker", "metal"),
    ("mekaniker", "auto"),
    ("ejendomsmægler", "realestate"),
    ("skovarbejder", "green"),
]
# Sectors where some postings may be done from home.
REMOTE_SECTORS = {"it", "finance", "media", "office", "sales", "public", "legal", "travel"}
# Sectors whose ads ask for a child-protection certificate.
CHILD_SECTORS = {"childcare", "education", "social"}

# Sector -> employer names (private and public), kinds of workplace (for public employers
# "public_kind" when given) and what the workplace does.
# Placeholders: {region} regional adjective, {region_name}, {surname}, {surname2}, {fancy} word,
# {town}, {municipality}, {kommune} (its official name), {form} company form, {hospital},
# {police}, {garrison}, {airport}.
SECTORS: dict[str, dict] = {
    "care": {
        "names": [
            "{fancy} Privatpleje {form}",
            "{region} Hjemmepleje {form}",
            "Plejecentret {fancy}",
            "{surname} Omsorg {form}",
        ],
        "public": [
            "{kommune}, Ældre og Omsorg",
            "{kommune}, Hjemmeplejen",
            "{kommune}, Plejecenter {fancy}",
        ],
        "public_share": 0.7,
        "public_kind": ["ældreområde", "plejecenter", "hjemmepleje"],
        "kind": ["plejecenter", "hjemmepleje", "ældreområde"],
        "does": [
            "Vi giver borgerne en tryg og værdig hverdag med omsorg, pleje og aktiviteter",
            "Vi arbejder rehabiliterende og tager udgangspunkt i den enkelte borgers ønsker",
            "Vi lægger vægt på nærvær, faglighed og et tæt samarbejde med de pårørende",
        ],
    },
    "health": {
        "names": [
            "{fancy} Privathospital {form}",
            "Sundhedshuset {fancy}",
            "Lægehuset {fancy}",
            "{surname} Sundhed og Træning {form}",
        ],
        "public": ["Region {region_name}, {hospital}", "{kommune}, Sundhed og Forebyggelse"],
        "public_share": 0.6,
        "public_kind": ["afdeling", "sundhedsenhed"],
        "kind": ["afdeling", "klinik", "sundhedscenter", "praksis"],
        "does": [
            "Vi behandler patienter med høj faglighed og har fokus på det gode patientforløb",
            "Vi er en travl arbejdsplads, hvor tværfagligt samarbejde er en selvfølge",
            "Vi arbejder evidensbaseret og prioriterer tid til faglig sparring",
        ],
    },
    "dental": {
        "names": ["Tandklinikken {fancy}", "{surname} Tandlæger {form}", "{town} Tandlægehus"],
        "public": ["{kommune}, Tandplejen"],
        "public_share": 0.3,
        "public_kind": ["kommunal tandpleje"],
        "kind": ["tandklinik", "tandlægepraksis"],
        "does": [
            "Vi behandler patienter i alle aldre og går op i forebyggelse og god service",
            "Vi har moderne udstyr og et hold, der arbejder tæt sammen om patienterne",
        ],
    },
    "pharmacy": {
        "names": ["{town} {fancy} Apotek", "{fancy} Pharma {form}", "{region} Apotek"],
        "public": ["Region {region_name}, Sygehusapoteket"],
        "public_share": 0.2,
        "public_kind": ["sygehusapotek"],
        "kind": ["apotek", "virksomhed"],
        "does": [
            "Vi rådgiver kunderne om medicin og sundhed og ekspederer recepter hver dag",
            "Vi arbejder med lægemidler af høj kvalitet og har fokus på patientsikkerhed",
        ],
    },
    "ambulance": {
        "names": ["{region} Ambulance {form}", "{fancy} Ambulancetjeneste {form}"],
        "public": ["Region {region_name}, Præhospitalet"],
        "public_share": 0.5,
        "public_kind": ["præhospital enhed"],
        "kind": ["ambulancestation", "præhospital enhed"],
        "does": [
            "Vi rykker ud døgnet rundt og sikrer hurtig og kompetent hjælp til borgerne",
        ],
    },
    "childcare": {
        "names": ["Den private børnehave {fancy}", "Vuggestuen {fancy}", "Børnehuset {fancy}"],
        "public": ["{kommune}, Dagtilbud {fancy}", "{kommune}, Børnehuset {fancy}"],
        "public_share": 0.8,
        "public_kind": ["daginstitution", "integreret institution"],
        "kind": ["integreret institution", "børnehave", "vuggestue"],
        "does": [
            "Vi skaber trygge rammer for leg, læring og fællesskab for børn i alderen 0-6 år",
            "Vi arbejder med den styrkede pædagogiske læreplan og har meget udeliv",
            "Vi lægger vægt på nærværende voksne og et tæt samarbejde med forældrene",
        ],
    },
    "social": {
        "names": [
            "Opholdsstedet {fancy} {form}",
            "Bostedet {fancy}",
            "{region} Socialrådgivning {form}",
        ],
        "public": [
            "{kommune}, Socialforvaltningen",
            "{kommune}, Handicap og Psykiatri",
            "{kommune}, Børn og Familie",
        ],
        "public_share": 0.7,
        "public_kind": ["forvaltning", "socialt tilbud"],
        "kind": ["botilbud", "forvaltning", "opholdssted"],
        "does": [
            "Vi støtter borgere og familier i at mestre deres eget liv",
            "Vi arbejder relationelt og recovery-orienteret med udsatte borgere",
        ],
    },
    "education": {
        "names": ["{fancy} Friskole", "Efterskolen {fancy}", "{fancy} Privatskole"],
        "public": ["{kommune}, {fancy}skolen", "{fancy} Gymnasium"],
        "public_share": 0.7,
        "public_kind": ["skole", "uddannelsesinstitution"],
        "kind": ["skole", "uddannelsesinstitution"],
        "does": [
            "Vi giver eleverne faglige udfordringer i et trygt og inkluderende læringsmiljø",
            "Vi er kendt for et stærkt kollegialt samarbejde og engagerede elever",
        ],
    },
    "construction": {
        "names": [
            "{region} Byggefag {form}",
            "Brdr. {surname} Entreprise {form}",
            "{fancy} Byg {form}",
            "{surname} & Søn Byg og Anlæg {form}",
            "{region} Entreprenørfirma {form}",
            "{surname} Totalentreprise {form}",
        ],
        "public": [],
        "public_share": 0.0,
        "kind": ["håndværksvirksomhed", "entreprenørvirksomhed", "byggevirksomhed"],
        "does": [
            "Vi løser opgaver inden for nybyggeri, renovering og service for både private, "
            "boligforeninger og erhvervskunder",
            "Vi har travlt med spændende projekter og en solid ordrebog",
            "Vi er kendt for kvalitet, ordentlighed og godt håndværk",
        ],
    },
    "architecture": {
        "names": ["{surname} Arkitekter {form}", "Tegnestuen {fancy} {form}"],
        "public": ["{kommune}, By og Udvikling"],
        "public_share": 0.15,
        "public_kind": ["forvaltning"],
        "kind": ["tegnestue", "rådgivningsvirksomhed"],
        "does": [
            "Vi tegner boliger, skoler og erhvervsbyggeri med fokus på bæredygtighed",
        ],
    },
    "engineering": {
        "names": [
            "{fancy} Rådgivende Ingeniører {form}",
            "{region} Forsyning {form}",
            "{fancy} Energi {form}",
        ],
        "public": ["{kommune}, Teknik og Miljø", "{municipality} Forsyning"],
        "public_share": 0.3,
        "public_kind": ["forvaltning", "forsyningsvirksomhed"],
        "kind": ["rådgivningsvirksomhed", "forsyningsvirksomhed", "virksomhed"],
        "does": [
            "Vi rådgiver om og driver anlæg inden for byggeri, energi og forsyning",
            "Vi er med i den grønne omstilling og investerer i fremtidens løsninger",
        ],
    },
    "manufacturing": {
        "names": [
            "{fancy} Industri {form}",
            "{town} Plast og Emballage {form}",
            "{fancy} Møbler {form}",
            "{region} Emballage {form}",
        ],
        "public": [],
        "public_share": 0.0,
        "kind": ["produktionsvirksomhed", "fabrik"],
        "does": [
            "Vi udvikler og producerer kvalitetsprodukter til kunder i hele Europa",
            "Vi har en moderne produktion med fokus på sikkerhed, kvalitet og løbende forbedringer",
            "Vi er i vækst og investerer i nyt udstyr og i vores medarbejdere",
        ],
    },
    "metal": {
        "names": [
            "{region} Metal {form}",
            "{surname} Maskinfabrik {form}",
            "{fancy} Stål {form}",
            "{town} Smede- og Maskinværksted {form}",
        ],
        "public": [],
        "public_share": 0.0,
        "kind": ["maskinfabrik", "produktionsvirksomhed", "smedevirksomhed"],
        "does": [
            "Vi producerer maskiner og stålkonstruktioner til kunder i ind- og udland",
            "Vi har et moderne værksted med fokus på sikkerhed og kvalitet",
        ],
    },
    "auto": {
        "names": [
            "{surname}s Autoværksted {form}",
            "{town} Auto {form}",
            "{fancy} Biler {form}",
            "{region} Lastvognsservice {form}",
        ],
        "public": [],
        "public_share": 0.0,
        "kind": ["autoværksted", "bilforhandler", "værksted"],
        "does": [
            "Vi servicerer og reparerer alle bilmærker for private og erhvervskunder",
        ],
    },
    "food": {
        "names": [
            "Bageriet {fancy}",
            "{surname}s Bageri {form}",
            "{region} Slagteri {form}",
            "{fancy} Fødevarer {form}",
            "{town} Slagter og Delikatesse",
        ],
        "public": [],
        "public_share": 0.0,
        "kind": ["bageri", "fødevarevirksomhed", "slagteri"],
        "does": [
            "Vi laver kvalitetsfødevarer af gode råvarer til kunder i hele landet",
            "Vi er en håndværksvirksomhed med stolte traditioner og travle morgener",
        ],
    },
    "transport": {
        "names": [
            "{surname} Transport {form}",
            "{region} Logistik {form}",
            "{fancy} Fragt {form}",
            "{town} Vognmandsforretning {form}",
            "{region} Lager og Distribution {form}",
        ],
        "public": [],
        "public_share": 0.0,
        "kind": ["transportvirksomhed", "logistikvirksomhed", "distributionscenter"],
        "does": [
            "Vi sørger for, at varerne kommer sikkert og til tiden frem til kunder i hele landet",
            "Vi har en moderne vognpark og et lagerteam, der arbejder tæt sammen",
        ],
    },
    "bus": {
        "names": ["{region} Busser {form}", "{fancy} Bustrafik {form}"],
        "public": [],
        "public_share": 0.0,
        "kind": ["busselskab", "trafikselskab"],
        "does": ["Vi kører bybusser og regionale ruter for trafikselskabet i området"],
    },
    "rail": {
        "names": ["{fancy} Tog {form}", "{region} Jernbane {form}"],
        "public": [],
        "public_share": 0.0,
        "kind": ["togoperatør", "jernbaneselskab"],
        "does": ["Vi kører passager- og godstog og sætter sikkerhed og punktlighed højt"],
    },
    "taxi": {
        "names": ["{town} Taxa {form}", "{fancy} Taxi {form}"],
        "public": [],
        "public_share": 0.0,
        "kind": ["taxiselskab", "vognmand"],
        "does": ["Vi kører døgnet rundt for private, virksomheder og offentlig kørsel"],
    },
    "courier": {
        "names": ["{fancy} Post og Pakker {form}", "{town} Bud {form}", "{fancy} Levering {form}"],
        "public": [],
        "public_share": 0.0,
        "kind": ["budfirma", "distributionsvirksomhed"],
        "does": ["Vi leverer breve og pakker til private og virksomheder hver dag"],
    },
    "airport": {
        "names": ["{airport} Ground Service {form}", "{fancy} Aviation Handling {form}"],
        "public": [],
        "public_share": 0.0,
        "kind": ["handlingselskab", "lufthavnsvirksomhed"],
        "does": [
            "Vi håndterer bagage og fly i lufthavnen og sørger for, at afgangene er til tiden"
        ],
    },
    "maritime": {
        "names": ["{fancy} Rederi {form}", "{region} Fiskeri {form}", "{fancy} Shipping {form}"],
        "public": [],
        "public_share": 0.0,
        "kind": ["rederi", "fiskerivirksomhed"],
        "does": ["Vi sejler i danske og internationale farvande med en moderne flåde"],
    },
    "retail": {
        "names": [
            "{fancy} Supermarked",
            "{surname}s Isenkram {form}",
            "{region} Byggemarked {form}",
            "{fancy} Tøj og Sko {form}",
            "{town} Cykler {form}",
            "{fancy} Boligindretning",
        ],
        "public": [],
        "public_share": 0.0,
        "kind": ["butik", "varehus", "forretning"],
        "does": [
            "Vi giver vores kunder en god handel og god service hver eneste dag",
            "Vi har et bredt sortiment og et team, der brænder for service",
        ],
    },
    "hospitality": {
        "names": [
            "Restaurant {fancy}",
            "Hotel {fancy}",
            "{region} Kro og Konferencecenter",
            "Café {fancy}",
            "{fancy} Kantineservice {form}",
        ],
        "public": ["{kommune}, Madservice"],
        "public_share": 0.1,
        "public_kind": ["produktionskøkken"],
        "kind": ["restaurant", "hotel", "kantine", "café"],
        "does": [
            "Vi laver mad fra bunden af gode, lokale råvarer",
            "Vi tager imod gæster fra både ind- og udland og går op i den gode oplevelse",
        ],
    },
    "travel": {
        "names": ["{fancy} Rejser {form}", "{region} Rejsebureau {form}"],
        "public": [],
        "public_share": 0.0,
        "kind": ["rejsebureau", "virksomhed"],
        "does": ["Vi sammensætter rejser for private og firmaer til hele verden"],
    },
    "salon": {
        "names": ["Salon {fancy}", "{surname}s Frisør", "Frisørhuset {fancy} {form}"],
        "public": [],
        "public_share": 0.0,
        "kind": ["frisørsalon", "salon"],
        "does": ["Vi klipper, farver og rådgiver vores kunder i en hyggelig salon"],
    },
    "it": {
        "names": [
            "{fancy} Software {form}",
            "{region} IT {form}",
            "{fancy} Digital {form}",
            "{fancy} Data {form}",
        ],
        "public": ["{kommune}, IT og Digitalisering", "Region {region_name}, Center for IT"],
        "public_share": 0.2,
        "public_kind": ["IT-afdeling"],
        "kind": ["IT-virksomhed", "softwarehus", "konsulenthus"],
        "does": [
            "Vi udvikler digitale løsninger til både offentlige og private kunder",
            "Vi arbejder agilt i små teams med stor frihed og korte beslutningsveje",
        ],
    },
    "finance": {
        "names": [
            "{fancy} Revision {form}",
            "{region} Bank {form}",
            "{surname} Regnskab {form}",
            "{fancy} Forsikring {form}",
        ],
        "public": ["{kommune}, Økonomi og Løn"],
        "public_share": 0.2,
        "public_kind": ["økonomiafdeling"],
        "kind": ["revisionsvirksomhed", "pengeinstitut", "virksomhed"],
        "does": [
            "Vi rådgiver små og mellemstore virksomheder om regnskab, skat og økonomi",
            "Vi er et lokalt forankret selskab med kunder i hele regionen",
        ],
    },
    "office": {
        "names": [
            "{fancy} Group {form}",
            "{region} Forsikring {form}",
            "{fancy} Ejendomme {form}",
            "{fancy} Kundeservice {form}",
            "{fancy} Consult {form}",
        ],
        "public": [
            "{kommune}, Borgerservice",
            "{kommune}, Center for HR",
            "Region {region_name}, Koncern HR",
        ],
        "public_share": 0.35,
        "public_kind": ["forvaltning", "administration"],
        "kind": ["virksomhed", "administration", "hovedkontor"],
        "does": [
            "Vi er en veldrevet organisation med korte beslutningsveje og et godt kollegialt miljø",
            "Vi betjener kunder i hele landet og er kendt for god service",
        ],
    },
    "sales": {
        "names": [
            "{fancy} Solutions {form}",
            "{region} Engros {form}",
            "{fancy} Marketing {form}",
            "{fancy} Salg {form}",
        ],
        "public": [],
        "public_share": 0.0,
        "kind": ["salgsvirksomhed", "handelsvirksomhed"],
        "does": [
            "Vi sælger kvalitetsprodukter til erhvervskunder i hele Norden",
            "Vi er i vækst og har ambitiøse mål for de kommende år",
        ],
    },
    "realestate": {
        "names": [
            "{fancy} Bolig {form}",
            "{surname} Ejendomsmægler {form}",
            "{town} Boligcenter {form}",
        ],
        "public": [],
        "public_share": 0.0,
        "kind": ["ejendomsmæglerforretning", "boligbutik"],
        "does": ["Vi sælger boliger i lokalområdet og kender markedet som vores egen bukselomme"],
    },
    "media": {
        "names": [
            "{fancy} Kommunikation {form}",
            "{region} Medier {form}",
            "Studio {fancy}",
            "{fancy} Design {form}",
        ],
        "public": ["{kommune}, Kommunikation"],
        "public_share": 0.2,
        "public_kind": ["kommunikationsafdeling"],
        "kind": ["bureau", "mediehus", "kommunikationsafdeling"],
        "does": [
            "Vi skaber indhold og kampagner for kunder i hele landet",
            "Vi er et kreativt hus med faglighed og et godt humør",
        ],
    },
    "legal": {
        "names": ["Advokatfirmaet {surname} & {surname2}", "{fancy} Advokater {form}"],
        "public": ["{kommune}, Juridisk Center"],
        "public_share": 0.3,
        "public_kind": ["juridisk afdeling"],
        "kind": ["advokatfirma", "juridisk afdeling"],
        "does": ["Vi rådgiver virksomheder, myndigheder og private om jura på højt niveau"],
    },
    "public": {
        "names": ["{fancy} Analyse {form}"],
        "public": [
            "{kommune}, Borgmesterens Afdeling",
            "{kommune}, Teknik og Miljø",
            "Region {region_name}, Regional Udvikling",
        ],
        "public_share": 0.9,
        "kind": ["forvaltning", "afdeling"],
        "does": [
            "Vi betjener det politiske niveau og arbejder tæt sammen på tværs af fagområder",
            "Vi er en politisk ledet organisation med fokus på kvalitet og borgernes behov",
        ],
    },
    "lab": {
        "names": [
            "{fancy} Pharma {form}",
            "{region} Laboratorier {form}",
            "{fancy} Biotech {form}",
        ],
        "public": ["Region {region_name}, {hospital}, Klinisk Biokemisk Afdeling"],
        "public_share": 0.3,
        "public_kind": ["hospitalslaboratorium"],
        "kind": ["laboratorium", "virksomhed"],
        "does": ["Vi udfører analyser og udvikling med høje krav til kvalitet og dokumentation"],
    },
    "animals": {
        "names": ["Dyreklinikken {fancy}", "{town} Dyrehospital", "{fancy} Dyrepark"],
        "public": [],
        "public_share": 0.0,
        "kind": ["dyreklinik", "dyrepark"],
        "does": ["Vi tager os af både kæledyr og dyr i pasning med stor faglighed og omsorg"],
    },
    "cleaning": {
        "names": [
            "{region} Rengøring {form}",
            "{fancy} Facility Service {form}",
            "{surname} Ejendomsservice {form}",
            "{town} Vinduespolering {form}",
        ],
        "public": ["{kommune}, Ejendomsservice", "Boligforeningen {fancy}"],
        "public_share": 0.25,
        "public_kind": ["driftsenhed"],
        "kind": ["servicevirksomhed", "rengøringsvirksomhed"],
        "does": [
            "Vi leverer rengøring og ejendomsservice til kontorer, skoler og boligforeninger",
            "Vi går op i ordentlige forhold, faste ruter og et godt samarbejde med kunderne",
        ],
    },
    "security": {
        "names": ["{region} Vagt og Sikring {form}", "{fancy} Security {form}"],
        "public": [],
        "public_share": 0.0,
        "kind": ["vagtselskab", "sikkerhedsvirksomhed"],
        "does": ["Vi passer på virksomheder, butikker og arrangementer døgnet rundt"],
    },
    "police": {
        "names": ["{police}"],
        "public": ["{police}"],
        "public_share": 1.0,
        "kind": ["politikreds", "politistation"],
        "does": ["Vi skaber tryghed for borgerne og arbejder tæt sammen med kommuner og skoler"],
    },
    "fire": {
        "names": ["{fancy} Brand og Redning {form}"],
        "public": ["Beredskab {region_name}", "{municipality} Brand og Redning"],
        "public_share": 0.8,
        "public_kind": ["beredskab"],
        "kind": ["beredskab", "brandstation"],
        "does": ["Vi rykker ud til brande, ulykker og redningsopgaver og forebygger brand"],
    },
    "defence": {
        "names": ["Forsvaret, {garrison}"],
        "public": ["Forsvaret, {garrison}"],
        "public_share": 1.0,
        "kind": ["enhed", "kaserne"],
        "does": [
            "Vi løser opgaver for Danmarks sikkerhed både hjemme og i internationale missioner"
        ],
    },
    "agriculture": {
        "names": [
            "{surname}gaard I/S",
            "{fancy} Landbrug I/S",
            "{region} Svineproduktion {form}",
            "{fancy} Skovservice {form}",
        ],
        "public": [],
        "public_share": 0.0,
        "kind": ["landbrug", "bedrift"],
        "does": [
            "Vi driver en moderne bedrift med fokus på dyrevelfærd, kvalitet og bæredygtighed",
        ],
    },
    "green": {
        "names": [
            "{surname}s Anlægsgartneri {form}",
            "{fancy} Gartneri {form}",
            "{region} Planteskole {form}",
            "{fancy} Skov og Natur {form}",
        ],
        "public": ["{kommune}, Park og Vej"],
        "public_share": 0.3,
        "public_kind": ["grøn driftsenhed"],
        "kind": ["anlægsgartneri", "gartneri", "grøn driftsenhed"],
        "does": [
            "Vi anlægger og plejer haver, parker og grønne områder",
            "Vi producerer planter og grøntsager til hele landet",
        ],
    },
    "other": {
        "names": ["{fancy} {form}", "{region} Service {form}", "{surname} & Co. {form}"],
        "public": ["{kommune}"],
        "public_share": 0.2,
        "public_kind": ["forvaltning"],
        "kind": ["virksomhed", "arbejdsplads"],
        "does": [
            "Vi er en solid arbejdsplads med gode kolleger og spændende opgaver",
            "Vi vægter faglighed, trivsel og et godt samarbejde højt",
        ],
    },
}
POLICE = {
    "Hovedstaden": ["Københavns Politi", "Nordsjællands Politi", "Københavns Vestegns Politi"],
    "Sjælland": ["Midt- og Vestsjællands Politi", "Sydsjællands og Lolland-Falsters Politi"],
    "Syddanmark": ["Fyns Politi", "Syd- og Sønderjyllands Politi"],
    "Midtjylland": ["Østjyllands Politi", "Midt- og Vestjyllands Politi"],
    "Nordjylland": ["Nordjyllands Politi"],
}
GARRISONS = {
    "Hovedstaden": ["Høvelte Kaserne", "Kastellet"],
    "Sjælland": ["Antvorskov Kaserne", "Vordingborg Kaserne", "Holbæk Kaserne"],
    "Syddanmark": ["Fredericia, Ryes Kaserne", "Haderslev Kaserne", "Varde Kaserne"],
    "Midtjylland": ["Holstebro, Dragonkasernen", "Skive Kaserne", "Flyvestation Karup"],
    "Nordjylland": ["Aalborg Kaserner", "Frederikshavn Flådestation"],
}
AIRPORTS = {
    "Hovedstaden": "Københavns Lufthavn",
    "Sjælland": "Københavns Lufthavn",
    "Syddanmark": "Billund Lufthavn",
    "Midtjylland": "Aarhus Lufthavn",
    "Nordjylland": "Aalborg Lufthavn",
}
HOSPITALS = {
    "Hovedstaden": [
        "Rigshospitalet",
        "Herlev og Gentofte Hospital",
        "Bispebjerg og Frederiksberg Hospital",
        "Nordsjællands Hospital",
        "Amager og Hvidovre Hospital",
    ],
    "Sjælland": [
        "Sjællands Universitetshospital",
        "Holbæk Sygehus",
        "Slagelse Sygehus",
        "Nykøbing F. Sygehus",
    ],
    "Syddanmark": [
        "Odense Universitetshospital",
        "Sygehus Lillebælt",
        "Sydvestjysk Sygehus",
        "Sygehus Sønderjylland",
    ],
    "Midtjylland": [
        "Aarhus Universitetshospital",
        "Regionshospitalet Gødstrup",
        "Regionshospitalet Randers",
        "Regionshospitalet Horsens",
    ],
    "Nordjylland": ["Aalborg Universitetshospital", "Regionshospital Nordjylland"],
}
# Municipality of the towns where public employers are placed (town name prefix -> municipality).
# Public employers are only placed in these towns, so "X Kommune" is always a real municipality.
MUNICIPALITY_OF_TOWN = {
    "København": "København",
    "Valby": "København",
    "Vanløse": "København",
    "Brønshøj": "København",
    "Frederiksberg": "Frederiksberg",
    "Hvidovre": "Hvidovre",
    "Rødovre": "Rødovre",
    "Glostrup": "Glostrup",
    "Brøndby": "Brøndby",
    "Albertslund": "Albertslund",
    "Ballerup": "Ballerup",
    "Herlev": "Herlev",
    "Hellerup": "Gentofte",
    "Charlottenlund": "Gentofte",
    "Kongens Lyngby": "Lyngby-Taarbæk",
    "Søborg": "Gladsaxe",
    "Bagsværd": "Gladsaxe",
    "Taastrup": "Høje-Taastrup",
    "Ishøj": "Ishøj",
    "Hørsholm": "Hørsholm",
    "Helsingør": "Helsingør",
    "Hillerød": "Hillerød",
    "Kastrup": "Tårnby",
    "Farum": "Furesø",
    "Birkerød": "Rudersdal",
    "Holte": "Rudersdal",
    "Frederikssund": "Frederikssund",
    "Rønne": "Bornholm",
    "Aarhus": "Aarhus",
    "Viby J": "Aarhus",
    "Højbjerg": "Aarhus",
    "Brabrand": "Aarhus",
    "Risskov": "Aarhus",
    "Randers": "Randers",
    "Horsens": "Horsens",
    "Silkeborg": "Silkeborg",
    "Herning": "Herning",
    "Viborg": "Viborg",
    "Holstebro": "Holstebro",
    "Skive": "Skive",
    "Ikast": "Ikast-Brande",
    "Skanderborg": "Skanderborg",
    "Grenaa": "Norddjurs",
    "Odder": "Odder",
    "Struer": "Struer",
    "Ringkøbing": "Ringkøbing-Skjern",
    "Odense": "Odense",
    "Esbjerg": "Esbjerg",
    "Kolding": "Kolding",
    "Vejle": "Vejle",
    "Fredericia": "Fredericia",
    "Sønderborg": "Sønderborg",
    "Svendborg": "Svendborg",
    "Haderslev": "Haderslev",
    "Aabenraa": "Aabenraa",
    "Nyborg": "Nyborg",
    "Middelfart": "Middelfart",
    "Varde": "Varde",
    "Vejen": "Vejen",
    "Grindsted": "Billund",
    "Ribe": "Esbjerg",
    "Tønder": "Tønder",
    "Faaborg": "Faaborg-Midtfyn",
    "Roskilde": "Roskilde",
    "Næstved": "Næstved",
    "Køge": "Køge",
    "Slagelse": "Slagelse",
    "Holbæk": "Holbæk",
    "Ringsted": "Ringsted",
    "Greve": "Greve",
    "Solrød Strand": "Solrød",
    "Kalundborg": "Kalundborg",
    "Nykøbing F": "Guldborgsund",
    "Korsør": "Slagelse",
    "Haslev": "Faxe",
    "Nakskov": "Lolland",
    "Vordingborg": "Vordingborg",
    "Sorø": "Sorø",
    "Jyllinge": "Roskilde",
    "Aalborg": "Aalborg",
    "Nørresundby": "Aalborg",
    "Hjørring": "Hjørring",
    "Frederikshavn": "Frederikshavn",
    "Thisted": "Thisted",
    "Brønderslev": "Brønderslev",
    "Hobro": "Mariagerfjord",
    "Sæby": "Frederikshavn",
    "Aars": "Vesthimmerland",
    "Skagen": "Frederikshavn",
    "Støvring": "Rebild",
    "Nykøbing M": "Morsø",
}
# Official names that are not simply "<municipality> Kommune".
MUNICIPALITY_NAMES = {
    "Bornholm": "Bornholms Regionskommune",
    "København": "Københavns Kommune",
    "Vesthimmerland": "Vesthimmerlands Kommune",
}

# --- Job postings ------------------------------------------------------------------------------

TITLE_PATTERNS = [
    "{title}",
    "{title}",
    "{title}",
    "{title}",
    "{title} til {kind} i {town}",
    "Erfaren {title_lower}",
    "{title} søges til {kind} i {town}",
    "{title}, {hours} timer om ugen",
    "Vi søger en {title_lower}",
    "{title} til fast stilling",
    "{title} til barselsvikariat",
]
HOOKS = [
    "Har du lyst til at bruge dine kompetencer som {title_lower} på en arbejdsplads, hvor "
    "fagligheden er i højsædet? Så er det måske dig, vi søger.",
    "Vil du være en del af et stærkt fællesskab, hvor vi hjælper hinanden og har det sjovt "
    "sammen? Vi søger en {title_lower} til {firma} i {town}.",
    "Brænder du for dit fag, og kan du lide en travl hverdag med mange forskellige opgaver? "
    "Så læs videre.",
    "Vi har travlt og mangler en dygtig {title_lower}, der kan starte hurtigst muligt.",
    "Er du vores nye kollega? Vi søger en engageret {title_lower}, som trives med ansvar "
    "og selvstændighed.",
]
ABOUT = [
    "Om os\n{firma} er {a_kind} i {town} med cirka {staff} medarbejdere. {does}.",
    "Om os\nHos {firma} er vi cirka {staff} kolleger. Vi er {a_kind} i {town}. {does}.",
    "Om os\n{firma} har siden {founded} været {a_kind} i {town}. {does}.",
]
# Workplace nouns ending like this are neuter ("et plejecenter", "et busselskab").
NEUTER_ENDINGS = tuple(
    _words(
        """
        firma gartneri apotek værksted bageri beredskab tilbud bureau selskab center hotel kontor
        hus laboratorium landbrug sted institut rederi slagteri område køkken
        """
    )
)
TASKS_INTROS = ["Dine opgaver", "Om jobbet", "Det kommer du til at lave"]
EXPECT_INTRO = "Vi forventer, at du:"
QUALIFICATION_LINE = "har en relevant uddannelse ({education})"
NO_QUALIFICATION_LINES = [
    "Du behøver ikke have en uddannelse inden for faget – vi sørger for en grundig oplæring.",
    "Erfaring er en fordel, men ikke et krav. Det vigtigste er, at du er mødestabil og "
    "har lyst til at lære.",
    "Stillingen kræver ingen særlige kvalifikationer, og du bliver oplært af erfarne kolleger.",
]
# Danish skill forms in the occupation file are noun phrases ("personlig pleje").
SKILL_LEADS = [
    "har erfaring med {skill}",
    "har kendskab til {skill}",
    "har styr på {skill}",
    "er fortrolig med {skill}",
]
PERSONAL_INTRO = [
    "Som person er du {p1}, {p2} og {p3}.",
    "Vi lægger vægt på, at du er {p1} og {p2}, og at du er {p3}.",
    "Du er {p1} og {p2}, og dine kolleger kan regne med dig.",
]
OFFERS = [
    "en spændende og afvekslende hverdag med plads til faglig udvikling",
    "dygtige og engagerede kolleger, der hjælper hinanden",
    "en grundig introduktion og oplæring",
    "mulighed for efteruddannelse og kurser",
    "pension og sundhedsforsikring",
    "frokostordning samt fri kaffe og frugt",
    "et godt arbejdsmiljø med et stærkt socialt fællesskab",
    "en personaleforening med sociale arrangementer",
    "en fast mentor de første måneder",
    "gode muligheder for at påvirke din egen arbejdsdag",
    "en arbejdsplads med fokus på trivsel og balance mellem arbejde og fritid",
]
SECTOR_OFFERS = {
    "construction": ["arbejdstøj og sikkerhedsudstyr", "firmabil efter aftale"],
    "metal": ["arbejdstøj og sikkerhedsudstyr", "skiftehold med gode tillæg"],
    "manufacturing": ["arbejdstøj og sikkerhedsudstyr", "skiftehold med gode tillæg"],
    "care": ["en fast vagtplan, der er lagt i god tid", "faglig sparring og supervision"],
    "health": ["faglig sparring og supervision", "tid til faglig fordybelse"],
    "retail": ["medarbejderrabat", "gode muligheder for at avancere"],
    "hospitality": ["personalemad", "gode muligheder for at avancere"],
    "it": ["fleksible arbejdstider og mulighed for hjemmearbejde", "nyeste udstyr"],
    "transport": ["moderne materiel", "faste ruter"],
}
TERMS = [
    "Stillingen er på {hours} timer om ugen med tiltrædelse {start}.",
    "Der er tale om en {permanence} stilling på {hours} timer om ugen. Tiltrædelse {start}.",
]
STARTS = ["snarest muligt", "efter aftale", "den 1. i næste måned", "hurtigst muligt"]
PAY = [
    "Løn og ansættelsesvilkår efter gældende overenskomst.",
    "Løn efter kvalifikationer.",
    "Løn efter aftale. Vi har en god pensionsordning.",
]
PUBLIC_PAY = "Løn og ansættelsesvilkår efter gældende overenskomst for området."
REMOTE_LINES = [
    "Stillingen kan varetages hjemmefra, og vi mødes fysisk et par gange om måneden.",
    "Arbejdet foregår primært hjemmefra med enkelte mødedage på kontoret.",
]
PUBLIC_DIVERSITY = (
    "Vi ønsker at afspejle samfundet omkring os og opfordrer alle interesserede uanset alder, "
    "køn, handicap, religion eller etnisk baggrund til at søge stillingen."
)
CHILD_CERTIFICATE = "Der indhentes børneattest og straffeattest ved ansættelse."
APPLY = [
    'Søg stillingen via knappen "Søg job". Vi holder samtaler løbende, så send gerne din '
    "ansøgning hurtigst muligt.",
    "Send din ansøgning og dit CV via Jobunivers. Vi ser frem til at høre fra dig.",
    "Ansøgning og CV sendes via Jobunivers. Samtaler afholdes løbende, og vi ansætter, når vi "
    "har fundet den rette.",
]
CONTACT = [
    "Har du spørgsmål til stillingen, er du velkommen til at kontakte {contact}, {role}.",
    "Vil du vide mere, så kontakt {contact}, {role}.",
]
CONTACT_ROLES = [
    "afdelingsleder",
    "daglig leder",
    "teamleder",
    "HR-partner",
    "souschef",
    "leder",
    "chef for området",
]
JOBNET_FOOTER = "Opslaget er også offentliggjort på Jobnet."

# Towns' rough population in thousands; a locality name starting with a key gets that weight,
# every other locality a small default. Used to spread people and jobs within a region.
TOWN_WEIGHTS = {
    "København": 70,
    "Frederiksberg": 50,
    "Hvidovre": 50,
    "Rødovre": 40,
    "Glostrup": 23,
    "Brøndby": 35,
    "Albertslund": 28,
    "Ballerup": 48,
    "Herlev": 29,
    "Hellerup": 25,
    "Charlottenlund": 15,
    "Kongens Lyngby": 40,
    "Søborg": 30,
    "Bagsværd": 20,
    "Taastrup": 35,
    "Ishøj": 23,
    "Hørsholm": 25,
    "Helsingør": 47,
    "Hillerød": 37,
    "Kastrup": 25,
    "Valby": 50,
    "Vanløse": 40,
    "Brønshøj": 40,
    "Farum": 20,
    "Birkerød": 20,
    "Frederikssund": 16,
    "Rønne": 13,
    "Holte": 15,
    "Aarhus": 70,
    "Viby J": 25,
    "Højbjerg": 20,
    "Brabrand": 20,
    "Risskov": 15,
    "Randers": 14,
    "Horsens": 60,
    "Silkeborg": 50,
    "Herning": 51,
    "Viborg": 41,
    "Holstebro": 37,
    "Skive": 21,
    "Ikast": 16,
    "Skanderborg": 20,
    "Grenaa": 14,
    "Odder": 12,
    "Struer": 10,
    "Ringkøbing": 10,
    "Odense": 22,
    "Esbjerg": 18,
    "Kolding": 62,
    "Vejle": 55,
    "Fredericia": 41,
    "Sønderborg": 27,
    "Svendborg": 27,
    "Haderslev": 22,
    "Aabenraa": 16,
    "Nyborg": 17,
    "Middelfart": 16,
    "Varde": 14,
    "Vejen": 10,
    "Grindsted": 10,
    "Ribe": 8,
    "Tønder": 7,
    "Faaborg": 7,
    "Roskilde": 52,
    "Næstved": 44,
    "Køge": 38,
    "Slagelse": 34,
    "Holbæk": 29,
    "Ringsted": 23,
    "Greve": 30,
    "Solrød Strand": 15,
    "Kalundborg": 17,
    "Nykøbing F": 16,
    "Korsør": 14,
    "Haslev": 12,
    "Nakskov": 12,
    "Vordingborg": 12,
    "Sorø": 8,
    "Jyllinge": 10,
    "Aalborg": 30,
    "Nørresundby": 22,
    "Hjørring": 25,
    "Frederikshavn": 22,
    "Thisted": 13,
    "Brønderslev": 12,
    "Hobro": 12,
    "Sæby": 9,
    "Aars": 8,
    "Skagen": 8,
    "Støvring": 8,
    "Nykøbing M": 9,
}
DEFAULT_TOWN_WEIGHT = 2.0
# Inhabitants by region (Statistics Denmark, 2024, rounded).
REGION_POPULATION = {
    "Hovedstaden": 1_880_000,
    "Midtjylland": 1_370_000,
    "Syddanmark": 1_230_000,
    "Sjælland": 850_000,
    "Nordjylland": 595_000,
}
