#!/usr/bin/env python3
"""Writes src/test/resources/pii/judge.jsonl: a labelled PII corpus that judges whether the redaction generalises.

Written apart from the three corpora beside it (dev-v2, the one the detectors were tuned on; heldout and blind): other
names of many cultures and scripts and in other forms (ALL CAPS, lower case, "Last, First", initials, particles,
hyphens), other streets and cities, and other kinds of text a bank or a hospital sends through an LLM (complaints,
mortgage applications, KYC notes, fraud alerts, prescriptions, lab results, tickets, chat exports, CSV/TSV, nested
JSON, YAML, SQL, test fixtures, logs, quoted email threads, minutes, chatbot transcripts, DE/FR/ES/IT/NL/PL/SV text).
It follows dev-v2's labelling conventions: a title or cue word is not part of a PERSON span; a UK sort code beside
the word "account" is a look-alike and only the account is labelled; routing numbers are look-alikes; an address runs
from the house number or street to the city and postcode; only dates stated as birth dates are DATE_OF_BIRTH; NHS
numbers, MRNs and KVNRs are MEDICAL_RECORD. Identifiers carry valid check digits (look-alikes carry broken ones).

The script asserts that no name, street or city it uses appears in dev-v2, heldout or blind (nor dev), that no brand,
eponym or place look-alike does either, that every span's text[start:end] is its value, that spans do not overlap
and that every negative occurs in its text. Deterministic: the same seed writes the same file.

Usage: python3 generate_judge_corpus.py [--seed 1307] [--per-template 9]
"""
import argparse
import collections
import itertools
import json
import os
import random
import re
import string
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_heldout_corpus import (Record, aba, bsn, dni, kvnr, luhn_complete, nie, nir,  # noqa: E402
                                     pesel, personnummer, steuer_id)

HERE = os.path.dirname(os.path.abspath(__file__))
PII_DIR = os.path.join(HERE, "..", "src", "test", "resources", "pii")
EXISTING = ["dev.jsonl", "dev-v2.jsonl", "heldout.jsonl", "blind.jsonl"]

FIRST = {
    "en": ["Peregrine", "Philomena", "Barnabas", "Wilhelmina", "Lachlan", "Romilly", "Ewan", "Araminta", "Ptolemy",
           "Cressida", "Jolyon", "Perpetua", "Evander", "Ottoline", "Torquil"],
    "us": ["Dwayne", "Shaniqua", "Brody", "Kaylee", "Tucker", "Destiny", "Jermaine", "Mckenzie", "Cody", "Latoya"],
    "ie": ["Caoimhe", "Oisín", "Saoirse", "Cathal", "Gráinne", "Ruairí"],
    "de": ["Wendelin", "Hannelore", "Roswitha", "Ortwin", "Waltraud", "Traugott", "Irmgard", "Hartmut", "Liesel"],
    "fr": ["Soizic", "Anatole", "Bérénice", "Fulbert", "Maïwenn", "Séverin", "Eulalie", "Gauthier"],
    "es": ["Inmaculada", "Fulgencio", "Maite", "Covadonga", "Teodomiro", "Nieves", "Casimiro", "Amparo"],
    "it": ["Gianfilippo", "Ersilia", "Gualtiero", "Ornella", "Settimio", "Fiorella", "Donatello", "Assunta"],
    "nl": ["Aaltje", "Gijsbert", "Wietske", "Meindert", "Joukje", "Reinout", "Trijntje"],
    "pl": ["Bolesław", "Bronisława", "Ziemowit", "Wiesława", "Jarosław", "Grażyna", "Mieczysław"],
    "sv": ["Gunnel", "Ulf", "Birgitta", "Sixten", "Ylva", "Torsten", "Märta"],
    "pt": ["Joaquim", "Conceição", "Leandro", "Graça", "Valdemar"],
    "africa": ["Ifeoma", "Temitope", "Akosua", "Tendai", "Nomvula", "Ikechukwu", "Zanele", "Yaw", "Abebe", "Wairimu"],
    "south_asia": ["Kaustubh", "Pooja", "Gurleen", "Nandini", "Raghunath", "Shreya", "Mahmudul", "Tahmina"],
    "east_asia": ["Jianhong", "Xiuying", "Takeshi", "Haruka", "Seung-hoon", "Eun-ha", "Quang", "Lan"],
    "arab": ["Mustafa", "Yasmin", "Khalid", "Dalia", "Walid", "Hanan"],
    "tr": ["Emine", "Mehmet", "Gülşen", "Serkan", "Özlem"],
    "fa": ["Dariush", "Shirin", "Kourosh", "Parisa"],
}
LAST = {
    "en": ["Ravenscroft", "Lethbridge", "Quennell", "Drinkwater", "Fotheringham", "Attenborough", "Sowerby",
           "Wigglesworth", "Postlethwaite", "Cattermole", "Rudd", "Merriweather", "Tollemache"],
    "us": ["Washington", "Przybylski", "Quarles", "Jefferson", "Thibodeaux", "Broussard", "Whitehorse", "Oyelowo"],
    "ie": ["Mac Giolla", "Ó Súilleabháin", "Ní Mhurchú", "Breathnach", "Cullinane"],
    "de": ["Oberhuber", "Pfannkuch", "Rübsamen", "Ziegenbalg", "Lauterbach", "Großkopf", "Nüßlein", "Wachtendonk"],
    "fr": ["Le Goff", "Quéméner", "Bonnefoy", "Vautrin", "Desjardins", "Pétillon", "Rocheteau"],
    "es": ["Goikoetxea", "Ordóñez", "Valdeolmillos", "Barrionuevo", "Llorente", "Urquijo"],
    "it": ["Scognamiglio", "Squarcialupi", "Bonaventura", "Tagliaferri", "Quagliarella", "Spadafora"],
    "nl": ["Schuurmans", "Bijlsma", "Wijnaldum", "Terpstra", "Dijkgraaf", "Zwanenburg"],
    "pl": ["Chrząszcz", "Wiśniewski", "Pietrzak", "Kaczmarczyk", "Gołębiowska", "Sienkiewicz"],
    "sv": ["Fjällström", "Östlund", "Wahlgren", "Nyqvist", "Hedberg", "Söderholm"],
    "pt": ["Quaresma", "Figueiredo", "Assunção", "Bragança"],
    "africa": ["Eze", "Oyinlola", "Agyemang", "Chikwanha", "Mthembu", "Anyanwu", "Tesfaye", "Kamau", "Appiah"],
    "south_asia": ["Bhattacharya", "Vaidyanathan", "Dhillon", "Ranganathan", "Talukdar", "Kulkarni", "Hossain"],
    "east_asia": ["Zhou", "Xu", "Matsumoto", "Hasegawa", "Jeon", "Hwang", "Trinh", "Dang"],
    "arab": ["Al-Ghamdi", "Barakat", "El-Sayed", "Qasim", "Abdelrahman", "Zuabi"],
    "tr": ["Yılmazer", "Korkmaz", "Aydoğan", "Çelikkol"],
    "fa": ["Ghorbani", "Farahani", "Sadeghi", "Mirzaei"],
}
PARTICLES = [("Hubertus", "von der Leyen-Strauch"), ("Anneliese", "van der Plas"), ("Rosalía", "de la Fuente"),
             ("Giacomo", "degli Esposti"), ("Geneviève", "de Montalembert"), ("Marcelino", "dos Reis"),
             ("Tjalling", "ter Haar"), ("Ailbhe", "Ní Dhuibhir"), ("Ibrahim", "bin Rashid"), ("Constanze", "zu Eltz")]
NON_LATIN = {
    "ru": ["Светлана Воронцова", "Аркадий Белоусов", "Людмила Ковалёва", "Ефим Шапошников"],
    "uk": ["Ярослава Гнатюк", "Остап Мельничук", "Богдана Кравець"],
    "el": ["Αθανάσιος Βλάχος", "Χρυσούλα Μαυρίδου", "Σπυρίδων Ζαχαρίου"],
    "ar": ["فاطمة الزهراني", "عبد الله القحطاني", "نورة الشمري"],
    "zh": ["赵丽娟", "孙建国", "黄晓明", "周婷婷"],
}
# country -> (streets, cities)
STREETS = {
    "UK": ["Tamarisk Way", "Cowslip Lane", "Ferrymead Road", "Gallowtree Gate", "Sandpiper Close", "Bellfounder Row",
           "Wych Elm Terrace"],
    "US": ["Bluebonnet Trail", "Persimmon Street", "Catalpa Avenue", "Tumbleweed Drive", "Buckeye Lane",
           "Larkspur Court", "Cypress Knoll Road"],
    "DE": ["Holunderweg", "Brunnenstraße", "Ährenfeld", "Zum Kirschgarten", "Salzufer", "Wacholderstieg",
           "Kranichweg"],
    "FR": ["rue des Glycines", "impasse des Mésanges", "avenue des Marronniers", "chemin du Moulin-Neuf",
           "rue de la Verrerie"],
    "ES": ["Calle de los Almendros", "Avenida del Puerto", "Calle Sierpes", "Paseo de la Alameda", "Calle Espoz y Mina"],
    "IT": ["Via dei Fornai", "Vicolo del Pozzo", "Via delle Ginestre", "Corso Sempione", "Piazza delle Erbe"],
    "NL": ["Zwaluwstraat", "Reigerlaan", "Bloemgracht", "Vlasakker", "Turfmarkt"],
}
CITIES = {
    "UK": [("Carlisle", "CA", 28), ("Inverness", "IV", 63), ("Swansea", "SA", 73), ("Kendal", "LA", 23),
           ("Truro", "TR", 27), ("Dundee", "DD", 11)],
    "US": [("Albuquerque", "NM", "871", "505"), ("Lubbock", "TX", "794", "806"), ("Des Moines", "IA", "503", "515"),
           ("Anchorage", "AK", "995", "907"), ("Chattanooga", "TN", "374", "423"), ("Burlington", "VT", "054", "802")],
    "DE": [("Rostock", "18055"), ("Augsburg", "86150"), ("Erfurt", "99084"), ("Würzburg", "97070"),
           ("Lübeck", "23552"), ("Kassel", "34117")],
    "FR": [("Montpellier", "34000"), ("Strasbourg", "67000"), ("Limoges", "87000"), ("Brest", "29200"),
           ("Poitiers", "86000")],
    "ES": [("Salamanca", "37001"), ("Córdoba", "14003"), ("Alicante", "03002"), ("Santander", "39001"),
           ("Oviedo", "33003")],
    "IT": [("Verona", "37121", "VR"), ("Padova", "35122", "PD"), ("Trieste", "34121", "TS"), ("Perugia", "06121", "PG"),
           ("Lecce", "73100", "LE")],
    "NL": [("Maastricht", "6211"), ("Arnhem", "6811"), ("Tilburg", "5038"), ("Amersfoort", "3811"), ("Breda", "4811")],
}
# Look-alikes that must survive, checked absent from the other corpora.
BRANDS = ["Lehman Brothers", "Rothschild & Co", "Merrill Lynch", "Selfridges", "Estée Lauder", "Harvey Nichols",
          "Jack Daniel's", "Baker McKenzie", "Ernst & Young", "Dow Jones", "Christian Dior", "Yves Saint Laurent",
          "Sainsbury's", "Rolls-Royce", "Martha Stewart Living", "Kellogg's", "Lloyd's Register"]
EPONYMS_MED = ["Kaposi sarcoma", "Cushing's syndrome", "Raynaud's phenomenon", "Bell's palsy", "Graves' disease",
               "Addison's disease", "Guillain-Barré syndrome", "Tourette syndrome", "Sjögren's syndrome",
               "Bowen's disease", "Wilms tumour", "Kawasaki disease", "Barrett's oesophagus", "Meniere's disease"]
EPONYMS_SCI = ["Monte Carlo simulation", "Sharpe ratio", "Gini coefficient", "Poisson regression",
               "Levenshtein distance", "Laplace smoothing", "Hamming distance", "Kelly criterion", "Benford's law",
               "Cox proportional hazards", "Wilcoxon test", "Fibonacci retracement", "Basel III", "Bollinger bands"]
PLACES = ["Alice Springs", "Prince George", "Jefferson City", "Port Louis", "Fort William", "Charlotte Amalie",
          "Lake Louise", "St. Helier", "Marysville", "Santa Barbara", "Georgetown", "Baton Rouge"]
ROLES = ["Chief Risk Officer", "Ward Sister", "Money Laundering Reporting Officer", "Duty Pharmacist",
         "Head of Collections", "Consultant Radiologist", "Complaints Handler", "Mortgage Adviser",
         "Clinical Coder", "Service Desk Analyst"]
STARTS = ["Sterling weakened overnight.", "Pat dry before applying the cream.", "Max dose is 4 g per day.",
          "Chase the GP surgery for results.", "Amber alert raised on the queue.", "Dawn rounds start at six.",
          "Sandy soil caused subsidence at the property.", "Gene panel results are pending.",
          "Drew down the remaining facility last week.", "Penny shares are excluded from the ISA.",
          "Miles of paperwork remain.", "Carol singers blocked the branch entrance."]


class Rec(Record):
    """The held-out generator's record, with the short name these templates use for a look-alike."""

    def n(self, kind, value):
        return self.neg(kind, value)


MONTHS = {"en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December"],
          "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                 "November", "Dezember"],
          "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre"],
          "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                 "noviembre", "diciembre"],
          "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
                 "ottobre", "novembre", "dicembre"],
          "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                 "november", "december"],
          "pl": ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
                 "października", "listopada", "grudnia"],
          "sv": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
                 "november", "december"]}


def ymd(r, lo, hi):
    return r.randint(lo, hi), r.randint(1, 12), r.randint(1, 28)


def fmt_date(r, y, m, d, lang="en", style=None):
    style = style or r.choice(["iso", "dmy_slash", "long", "dot", "abbr", "us"] if lang == "en" else
                              ["long", "dot", "iso", "dmy_slash"])
    mn = MONTHS.get(lang, MONTHS["en"])
    if style == "iso":
        return "%d-%02d-%02d" % (y, m, d)
    if style == "dmy_slash":
        return "%02d/%02d/%d" % (d, m, y)
    if style == "us":
        return "%d/%d/%d" % (m, d, y)
    if style == "dot":
        return "%02d.%02d.%d" % (d, m, y)
    if style == "abbr":
        return "%02d %s %d" % (d, MONTHS["en"][m - 1][:3].upper(), y)
    if style == "compact":
        return "%d%02d%02d" % (y, m, d)
    if lang == "en":
        return r.choice(["%d %s %d" % (d, mn[m - 1], y), "%s %d, %d" % (mn[m - 1], d, y)])
    if lang == "de":
        return "%d. %s %d" % (d, mn[m - 1], y)
    if lang == "es":
        return "%d de %s de %d" % (d, mn[m - 1], y)
    return "%d %s %d" % (d, mn[m - 1], y)


def birth(r, lang="en", style=None):
    return fmt_date(r, *ymd(r, 1931, 2006), lang=lang, style=style)


def event_date(r, lang="en", style=None):
    return fmt_date(r, *ymd(r, 2022, 2027), lang=lang, style=style)


def timestamp(r):
    y, m, d = ymd(r, 2024, 2027)
    return r.choice(["%d-%02d-%02dT%02d:%02d:%02d.%03dZ", "%d-%02d-%02d %02d:%02d:%02d,%03d"]) % (
        y, m, d, r.randint(0, 23), r.randint(0, 59), r.randint(0, 59), r.randint(0, 999))


class Person:
    def __init__(self, first, last, group):
        self.first, self.last, self.group = first, last, group

    def full(self):
        return self.first + " " + self.last

    def form(self, r, forms=("full", "full", "full", "caps", "lower", "comma", "initial", "initials", "caps_comma")):
        f = r.choice(forms)
        if f == "full":
            return self.full()
        if f == "caps":
            return self.full().upper()
        if f == "lower":
            return self.full().lower()
        if f == "comma":
            return self.last + ", " + self.first
        if f == "caps_comma":
            return self.last.upper() + ", " + self.first
        if f == "initial":
            return self.first[0] + ". " + self.last
        if f == "initials":
            return r.choice(["%s. %s. %s", "%s.%s. %s", "%s %s %s"]) % (self.first[0], r.choice("ABCDEHJKLMRSTW"),
                                                                       self.last)
        if f == "middle":
            return "%s %s. %s" % (self.first, r.choice("ABCDEFGHJKLMNPRSTW"), self.last)
        if f == "eastern":
            return self.last + " " + self.first
        raise ValueError(f)


def person(r, group=None):
    if group is None:
        if r.random() < 0.12:
            first, last = r.choice(PARTICLES)
            return Person(first, last, "particle")
        group = r.choice(list(FIRST))
    first, last = r.choice(FIRST[group]), r.choice(LAST[group])
    if group in ("en", "us", "de") and r.random() < 0.15:
        other = r.choice(LAST[group])
        if other != last and "-" not in last + other and " " not in last + other:
            last = last + "-" + other
    return Person(first, last, group)


def ascii_fold(s):
    folded = unicodedata.normalize("NFKD", s.replace("ß", "ss").replace("ł", "l").replace("Ł", "L").replace("ø", "o")
                                   .replace("ı", "i"))
    return "".join(c for c in folded.lower() if c in string.ascii_lowercase)


DOMAINS = ["hausbank.example.de", "patients.example.org", "inbox.example.net", "bankmail.example.co.uk",
           "clinique.example.fr", "correo.example.es", "posta.example.it", "zorg.example.nl", "poczta.example.pl",
           "vard.example.se", "members.example.com"]


def email(r, p=None):
    domain = r.choice(DOMAINS)
    if p is None or r.random() < 0.2:
        handle = r.choice(["sunnyside", "bluejay", "dragonfly", "kitecat", "mossbank", "tealduck", "quietfox"])
        return "%s%s%d@%s" % (handle, r.choice(["", "_", "."]), r.randint(7, 2009), domain)
    f, l = ascii_fold(p.first), ascii_fold(p.last)
    local = r.choice(["%s.%s" % (f, l), "%s%s" % (f[0], l), "%s_%s" % (l, f), "%s.%s%d" % (f, l, r.randint(1, 99)),
                      "%s-%s" % (f, l), "%s.%s+statements" % (f[0], l)])
    value = local + "@" + domain
    return value.upper() if r.random() < 0.08 else value


def d(r, n):
    return "".join(r.choice(string.digits) for _ in range(n))


def nz(r, n):
    return str(r.randint(1, 9)) + d(r, n - 1)


def phone(r, country):
    c = country
    if c == "UK":
        return r.choice(["07%s %s" % (nz(r, 3), d(r, 6)), "+44 7%s %s" % (nz(r, 3), d(r, 6)),
                         "+44 (0)7%s %s %s" % (nz(r, 3), d(r, 3), d(r, 3)), "020 %s %s" % (nz(r, 4), d(r, 4)),
                         "0161 %s %s" % (nz(r, 3), d(r, 4)), "+44 113 %s %s" % (nz(r, 3), d(r, 4))])
    if c == "US":
        a = r.choice([c[3] for c in CITIES["US"]] + ["212", "312", "415", "617", "713", "206", "404"])
        e, n = "%d%s" % (r.randint(2, 9), d(r, 2)), d(r, 4)
        if e[1:] == "11" or e == "555":
            e = "%d47" % r.randint(2, 9)
        return r.choice(["(%s) %s-%s", "%s-%s-%s", "+1 %s %s %s", "%s.%s.%s", "+1 (%s) %s-%s", "1-%s-%s-%s"]) % (
            a, e, n)
    if c == "DE":
        return r.choice(["+49 176 %s" % nz(r, 8), "0170 %s" % nz(r, 7), "+49 (0)40 %s" % nz(r, 8),
                         "0221 %s %s" % (nz(r, 3), d(r, 4)), "+49 1522 %s" % nz(r, 7), "0911/%s" % nz(r, 7)])
    if c == "FR":
        return r.choice(["0%d %s" % (r.choice([6, 7]), " ".join(d(r, 2) for _ in range(4))),
                         "+33 %d %s" % (r.choice([6, 7]), " ".join(d(r, 2) for _ in range(4))),
                         "01 %s" % " ".join(d(r, 2) for _ in range(4)), "+33 (0)4 %s" % ".".join(d(r, 2) for _ in range(4))])
    if c == "ES":
        return r.choice(["6%s %s %s" % (d(r, 2), d(r, 3), d(r, 3)), "+34 6%s %s %s %s" % (d(r, 2), d(r, 2), d(r, 2), d(r, 2)),
                         "91 %s %s %s" % (d(r, 3), d(r, 2), d(r, 2)), "+34 7%s %s %s" % (d(r, 2), d(r, 3), d(r, 3))])
    if c == "IT":
        return r.choice(["+39 3%s %s %s" % (d(r, 2), d(r, 3), d(r, 4)), "3%s %s" % (d(r, 2), d(r, 7)),
                         "06 %s" % nz(r, 8), "+39 02 %s %s" % (nz(r, 4), d(r, 4))])
    if c == "NL":
        return r.choice(["06 %s" % d(r, 8), "+31 6 %s" % d(r, 8), "020-%s" % nz(r, 7), "+31 (0)30 %s %s" % (nz(r, 3), d(r, 4))])
    if c == "PL":
        return r.choice(["+48 %d%s %s %s" % (r.choice([5, 6, 7, 8]), d(r, 2), d(r, 3), d(r, 3)),
                         "%d%s %s %s" % (r.choice([5, 6, 7]), d(r, 2), d(r, 3), d(r, 3)), "22 %s %s %s" % (nz(r, 3), d(r, 2), d(r, 2))])
    if c == "SE":
        return r.choice(["07%d-%s %s %s" % (r.choice([0, 2, 3, 6]), d(r, 3), d(r, 2), d(r, 2)),
                         "+46 7%d %s %s %s" % (r.choice([0, 2, 3, 6]), d(r, 3), d(r, 2), d(r, 2)),
                         "08-%s %s %s" % (nz(r, 3), d(r, 2), d(r, 2))])
    if c == "GR":
        return "+30 69%d %s %s" % (r.choice([4, 7, 8]), d(r, 3), d(r, 4))
    if c == "RU":
        return "+7 9%s %s-%s-%s" % (d(r, 2), d(r, 3), d(r, 2), d(r, 2))
    if c == "UA":
        return "+380 %s %s %s %s" % (r.choice(["67", "50", "63", "97"]), d(r, 3), d(r, 2), d(r, 2))
    if c == "AE":
        return r.choice(["+971 5%d %s %s" % (r.choice([0, 2, 5, 6]), d(r, 3), d(r, 4)),
                         "+966 5%s %s %s" % (d(r, 1), d(r, 3), d(r, 4))])
    if c == "CN":
        return r.choice(["+86 1%d%s %s %s" % (r.choice([3, 5, 8]), d(r, 1), d(r, 4), d(r, 4)),
                         "1%d%s%s" % (r.choice([3, 5, 8]), d(r, 1), d(r, 8))])
    if c == "IN":
        return "+91 %d%s %s" % (r.choice([7, 8, 9]), d(r, 4), d(r, 5))
    if c == "NG":
        return "+234 80%d %s %s" % (r.choice([3, 5, 6]), d(r, 3), d(r, 4))
    raise ValueError(c)


IBAN_LENGTHS = {"DE": 22, "FR": 27, "ES": 24, "IT": 27, "NL": 18, "GB": 22, "BE": 16, "AT": 20, "IE": 22, "PT": 25,
                "CH": 21, "PL": 28, "SE": 24, "DK": 18, "FI": 18, "LU": 20, "GR": 27, "HR": 21, "CZ": 24, "NO": 15}


def iban_compact(r, country=None):
    country = country or r.choice(list(IBAN_LENGTHS))
    n = IBAN_LENGTHS[country] - 4
    if country in ("NL", "GB", "IE"):
        bban = "".join(r.choice(string.ascii_uppercase) for _ in range(4)) + d(r, n - 4)
    elif country == "IT":
        bban = r.choice(string.ascii_uppercase) + d(r, n - 1)
    else:
        bban = d(r, n)
    check = 98 - int("".join(str(int(c, 36)) for c in bban + country + "00")) % 97
    return country + "%02d" % check + bban


def iban_valid(value):
    v = value.replace(" ", "")
    return int("".join(str(int(c, 36)) for c in v[4:] + v[:4])) % 97 == 1


def spaced4(v):
    return " ".join(v[i:i + 4] for i in range(0, len(v), 4))


def iban(r, country=None):
    v = iban_compact(r, country)
    return spaced4(v) if r.random() < 0.5 else v


def bad_iban(r, country=None):
    v = iban_compact(r, country)
    v = v[:-1] + str((int(v[-1]) + 3) % 10)
    assert not iban_valid(v)
    return spaced4(v) if r.random() < 0.5 else v


def luhn_ok(number):
    total = 0
    for i, c in enumerate(reversed(number)):
        x = int(c) * (2 if i % 2 else 1)
        total += x - 9 if x > 9 else x
    return total % 10 == 0


def card_number(r):
    prefix = r.choice(["4", "4", "51", "53", "55", "2223", "2720", "34", "37", "6011", "65", "3530", "36"])
    length = 15 if prefix in ("34", "37") else 14 if prefix == "36" else 16
    return luhn_complete(prefix + d(r, length - len(prefix) - 1))


def fmt_card(r, number):
    if len(number) == 15:
        return r.choice([number, "%s %s %s" % (number[:4], number[4:10], number[10:])])
    if len(number) == 14:
        return r.choice([number, "%s %s %s" % (number[:4], number[4:10], number[10:])])
    return r.choice([number, spaced4(number), "-".join(number[i:i + 4] for i in range(0, 16, 4))])


def card(r):
    return fmt_card(r, card_number(r))


def bad_card(r):
    number = card_number(r)
    number = number[:-1] + str((int(number[-1]) + 5) % 10)
    assert not luhn_ok(number)
    return fmt_card(r, number)


def ssn(r, style=None):
    area = r.choice([n for n in range(1, 900) if n != 666])
    v = "%03d-%02d-%04d" % (area, r.randint(1, 99), r.randint(1, 9999))
    style = style or r.choice(["dash", "dash", "plain", "space"])
    return {"dash": v, "plain": v.replace("-", ""), "space": v.replace("-", " ")}[style]


def nino(r):
    while True:
        pre = r.choice("ABCEGHJKLMNOPRSTWXYZ") + r.choice("ABCEGHJKLMNPRSTWXYZ")
        if pre not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
            break
    v = pre + d(r, 6) + r.choice("ABCD")
    return r.choice([v, " ".join([v[:2], v[2:4], v[4:6], v[6:8], v[8]])])


def steuer(r):
    v = steuer_id(r)
    return r.choice([v, " ".join([v[:2], v[2:5], v[5:8], v[8:]])])


def steuer_ok(v):
    v = v.replace(" ", "")
    product = 10
    for c in v[:10]:
        total = (int(c) + product) % 10 or 10
        product = total * 2 % 11
    return (11 - product) % 10 == int(v[10])


def bad_steuer(r):
    v = steuer_id(r)
    v = v[:-1] + str((int(v[-1]) + 4) % 10)
    assert not steuer_ok(v)
    return v


def nir_fmt(r):
    v = nir(r)
    return r.choice([v, v, "%s %s %s %s %s %s %s" % (v[0], v[1:3], v[3:5], v[5:7], v[7:10], v[10:13], v[13:])])


def bad_nir(r):
    v = nir(r)
    return v[:13] + "%02d" % ((int(v[13:]) + 11) % 97 or 1)


def bsn_ok(v):
    v = v.replace(".", "")
    return (sum(int(c) * (9 - i) for i, c in enumerate(v[:8])) - int(v[8])) % 11 == 0


def bsn_fmt(r):
    v = bsn(r)
    return r.choice([v, v, "%s.%s.%s" % (v[:4], v[4:6], v[6:])])


def bad_bsn(r):
    while True:
        v = bsn(r)
        v = v[:-1] + str((int(v[-1]) + 1) % 10)
        if not bsn_ok(v):
            return r.choice([v, "%s.%s.%s" % (v[:4], v[4:6], v[6:])])


def bad_dni(r):
    v = dni(r)
    letters = "TRWAGMYFPDXBNJZSQVHLCKE"
    return v[:-1] + letters[(letters.index(v[-1]) + 5) % 23]


CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]


def cf(r):
    """A codice fiscale with a real day (41-71 for women) and a municipality code (letter A-M, or Z abroad)."""
    consonants = "BCDFGHJKLMNPQRSTVWXZ"
    body = ("".join(r.choice(consonants) for _ in range(3)) + "".join(r.choice(consonants + "AEIOU") for _ in range(3))
            + "%02d" % r.randint(40, 99) + r.choice("ABCDEHLMPRST") + "%02d" % (r.randint(1, 28) + r.choice([0, 40]))
            + r.choice("ABCDEFGHILMZ") + d(r, 3))
    total = 0
    for i, c in enumerate(body):
        index = int(c) if c.isdigit() else ord(c) - 65
        total += CF_ODD[index] if i % 2 == 0 else index
    return body + string.ascii_uppercase[total % 26]


def bad_cf(r):
    v = cf(r)
    return v[:-1] + chr((ord(v[-1]) - 65 + 7) % 26 + 65)


def pesel_ok(v):
    return sum(int(c) * w for c, w in zip(v, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3, 1])) % 10 == 0


def bad_pesel(r):
    v = pesel(r)
    v = v[:-1] + str((int(v[-1]) + 3) % 10)
    assert not pesel_ok(v)
    return v


def pnr(r):
    v = personnummer(r)
    if r.random() < 0.4:
        century = "19" if int(v[:2]) > 25 else "20"
        return century + v[:6] + "-" + v[6:]
    return v[:6] + r.choice(["-", "-", "+"] if int(v[:2]) < 30 else ["-"]) + v[6:]


def bad_pnr(r):
    v = personnummer(r)
    v = v[:-1] + str((int(v[-1]) + 2) % 10)
    return v[:6] + "-" + v[6:]


def nhs_number(r):
    while True:
        body = d(r, 9)
        check = 11 - sum(int(c) * (10 - i) for i, c in enumerate(body)) % 11
        if check != 10:
            return body + str(0 if check == 11 else check)


def nhs_ok(v):
    v = v.replace(" ", "").replace("-", "")
    check = 11 - sum(int(c) * (10 - i) for i, c in enumerate(v[:9])) % 11
    return check != 10 and (0 if check == 11 else check) == int(v[9])


def nhs_fmt(r, v=None):
    v = v or nhs_number(r)
    return r.choice([v, "%s %s %s" % (v[:3], v[3:6], v[6:]), "%s-%s-%s" % (v[:3], v[3:6], v[6:])])


def bad_nhs(r):
    while True:
        v = nhs_number(r)
        v = v[:-1] + str((int(v[-1]) + 1) % 10)
        if not nhs_ok(v):
            return "%s %s %s" % (v[:3], v[3:6], v[6:])


def mrn(r):
    return r.choice(["%s" % nz(r, 8), "MRN%s" % d(r, 7), "K%s" % d(r, 7), "%s-%s" % (nz(r, 3), d(r, 5)),
                     "H%s/%s" % (d(r, 6), d(r, 2))])


def passport_us(r):
    return r.choice([nz(r, 9), r.choice("ACEFGHJKLMNPRSTWXZ") + d(r, 8)])


def sort_code(r):
    return "%02d-%02d-%02d" % (r.randint(1, 99), r.randint(0, 99), r.randint(0, 99))


def uk_address(r, sep=", ", flat=None):
    city, area, districts = r.choice(CITIES["UK"])
    pc = "%s%d %d%s" % (area, r.randint(1, districts), r.randint(1, 9), "".join(r.choice("ABDEFGHJLNPQRSTUWXYZ")
                                                                         for _ in range(2)))
    flat = r.random() < 0.3 if flat is None else flat
    line1 = ("Flat %d, " % r.randint(1, 30) if flat else "") + "%d%s %s" % (
        r.randint(1, 260), r.choice(["", "", "A"]), r.choice(STREETS["UK"]))
    if sep == "\n":
        return "%s\n%s\n%s" % (line1, city, pc)
    return "%s, %s %s" % (line1, city, pc)


def us_address(r, sep=", "):
    city, state, zip3, _ = r.choice(CITIES["US"])
    unit = r.choice(["", "", ", Apt %d%s" % (r.randint(1, 30), r.choice("ABCD")), ", Unit %d" % r.randint(2, 400),
                     " #%d" % r.randint(2, 90)])
    line1 = "%d %s%s" % (r.randint(10, 19999), r.choice(STREETS["US"]), unit)
    if sep == "\n":
        return "%s\n%s, %s %s%02d" % (line1, city, state, zip3, r.randint(1, 99))
    return "%s, %s, %s %s%02d" % (line1, city, state, zip3, r.randint(1, 99))


def de_address(r, sep=", "):
    city, pc = r.choice(CITIES["DE"])
    pc = pc[:3] + "%02d" % r.randint(0, 99)
    return "%s %d%s%s%s %s" % (r.choice(STREETS["DE"]), r.randint(1, 180), r.choice(["", "", "a", "c"]), sep, pc, city)


def fr_address(r, sep=", "):
    city, pc = r.choice(CITIES["FR"])
    return "%d%s %s%s%s %s" % (r.randint(1, 140), r.choice(["", "", " bis", " ter"]), r.choice(STREETS["FR"]), sep,
                               pc, city)


def es_address(r, sep=", "):
    city, pc = r.choice(CITIES["ES"])
    return "%s %d%s%s%s %s" % (r.choice(STREETS["ES"]), r.randint(1, 120),
                               r.choice(["", ", %dº %s" % (r.randint(1, 9), r.choice("ABCDI")), ", bajo"]), sep, pc, city)


def it_address(r, sep=", "):
    city, pc, prov = r.choice(CITIES["IT"])
    return "%s %d%s%s %s (%s)" % (r.choice(STREETS["IT"]), r.randint(1, 200), sep, pc, city, prov)


def nl_address(r, sep=", "):
    city, pc = r.choice(CITIES["NL"])
    return "%s %d%s%s%s %s %s" % (r.choice(STREETS["NL"]), r.randint(1, 300), r.choice(["", "", "-2", "A", " bis"]),
                                  sep, pc[:2] + "%02d" % r.randint(10, 99), "".join(r.choice("ABCDEGHJKLMNPRSTVWXZ")
                                                                                   for _ in range(2)), city)


ADDRESS = {"UK": uk_address, "US": us_address, "DE": de_address, "FR": fr_address, "ES": es_address,
           "IT": it_address, "NL": nl_address}


def rstr(r, n, alphabet=string.ascii_letters + string.digits):
    return "".join(r.choice(alphabet) for _ in range(n))


def secret(r, kind=None):
    kind = kind or r.choice(["aws_id", "aws_secret", "ghp", "github_pat", "slack", "stripe", "openai", "anthropic",
                             "gitlab", "hf", "google", "sendgrid", "jwt", "azure"])
    b64 = string.ascii_letters + string.digits + "+/"
    return {
        "aws_id": lambda: r.choice(["AKIA", "ASIA"]) + rstr(r, 16, string.ascii_uppercase + "234567"),
        "aws_secret": lambda: rstr(r, 40, b64),
        "ghp": lambda: "ghp_" + rstr(r, 36),
        "github_pat": lambda: "github_pat_11" + rstr(r, 20, string.ascii_uppercase + string.digits) + "_" + rstr(r, 59),
        "slack": lambda: "xox%s-%s-%s-%s" % (r.choice("bp"), nz(r, 12), nz(r, 13), rstr(r, 24)),
        "stripe": lambda: r.choice(["sk_live_", "rk_live_"]) + rstr(r, 32),
        "openai": lambda: "sk-proj-" + rstr(r, 48, string.ascii_letters + string.digits + "_-"),
        "anthropic": lambda: "sk-ant-api03-" + rstr(r, 86, string.ascii_letters + string.digits + "_-") + "AA",
        "gitlab": lambda: "glpat-" + rstr(r, 20, string.ascii_letters + string.digits + "_-"),
        "hf": lambda: "hf_" + rstr(r, 34),
        "google": lambda: "AIza" + rstr(r, 35, string.ascii_letters + string.digits + "_-"),
        "sendgrid": lambda: "SG." + rstr(r, 22, string.ascii_letters + string.digits + "_-") + "." + rstr(
            r, 43, string.ascii_letters + string.digits + "_-"),
        "jwt": lambda: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + rstr(r, 60, string.ascii_letters + string.digits + "_-")
                       + "." + rstr(r, 43, string.ascii_letters + string.digits + "_-"),
        "azure": lambda: rstr(r, 86, b64) + "==",
    }[kind]()


def amount(r):
    return r.choice([
        "%d %03d %03d EUR" % (r.randint(1, 9), r.randint(0, 999), r.randint(0, 999)),
        "£%d,%03d.%02d" % (r.randint(1, 99), r.randint(0, 999), r.randint(0, 99)),
        "%.1fm" % (r.randint(11, 99) / 10), "$%d,%03d" % (r.randint(1, 999), r.randint(0, 999)),
        "CHF %d'%03d.–" % (r.randint(1, 99), r.randint(0, 999)), "€%d.%03d,%02d" % (r.randint(1, 999), r.randint(0, 999),
                                                                                  r.randint(0, 99)),
        "USD %dk" % r.randint(5, 950), "%d,%02d zł" % (r.randint(100, 9999), r.randint(0, 99)),
        "%d %03d kr" % (r.randint(1, 99), r.randint(0, 999)), "GBP %d.%02d" % (r.randint(10, 9999), r.randint(0, 99)),
        "₹%d,%02d,%03d" % (r.randint(1, 99), r.randint(0, 99), r.randint(0, 999)), "%.2f bn" % (r.randint(101, 999) / 100)])


def version(r):
    return r.choice(["v%d.%d.%d" % (r.randint(1, 15), r.randint(0, 30), r.randint(0, 60)),
                     "%d.%d.%d.%d" % (r.randint(1, 12), r.randint(0, 9), r.randint(0, 40), r.randint(100, 9999)),
                     "%d.%d.%d-beta.%d" % (r.randint(0, 5), r.randint(0, 20), r.randint(0, 9), r.randint(1, 9)),
                     "release %d.%d" % (r.randint(2019, 2027), r.randint(1, 12))])


def ip_version(r):
    return "%d.%d.%d.%d" % (r.randint(1, 9), r.randint(0, 9), r.randint(0, 40), r.randint(0, 255))


def build_no(r):
    return r.choice(["build %d.%d" % (r.randint(20240101, 20271231), r.randint(1, 9)), "#%d" % r.randint(1000, 99999),
                     "b%s" % d(r, 5)])


def sku(r):
    return r.choice(["SKU-%s-%s" % (d(r, 4), r.choice(["BLK", "WHT", "XL", "500ML"])), "ART-%s/%s" % (d(r, 6), d(r, 2)),
                     "PN %s-%s" % (d(r, 3), d(r, 5))])


def order_id(r):
    return r.choice(["ORD-%s" % d(r, 9), "SO%s" % d(r, 8), "PO-%d-%s" % (r.randint(2023, 2027), d(r, 5)),
                     "Bestellnr. %s" % d(r, 10)])


def invoice_id(r):
    return r.choice(["INV/%d/%s" % (r.randint(2023, 2027), d(r, 6)), "RE-%s" % d(r, 8), "FAC%s" % d(r, 7),
                     "Invoice %s" % d(r, 7)])


def case_id(r):
    return r.choice(["CMP-%s" % d(r, 7), "INC%s" % d(r, 7), "RITM%s" % d(r, 7), "FRD-%s-%s" % (d(r, 4), d(r, 4)),
                     "KYC-%s" % d(r, 6), "SR %s" % d(r, 8), "CHG%s" % d(r, 7)])


def git_sha(r):
    return rstr(r, r.choice([7, 12, 40]), "0123456789abcdef")


def uuid(r):
    h = "0123456789abcdef"
    return "-".join(rstr(r, n, h) for n in (8, 4, 4, 4, 12))


def ipv4(r):
    return r.choice(["%d.%d.%d.%d" % (r.choice([31, 62, 81, 89, 109, 145, 178, 185, 213]), r.randint(0, 255),
                                       r.randint(0, 255), r.randint(1, 254)),
                     "%d.%d.%d.%d" % (r.choice([203, 198, 192]), r.choice([0, 51, 0]), r.choice([113, 100, 2]),
                                      r.randint(1, 254))])


def ipv6(r):
    groups = ["%x" % r.randint(0, 65535) for _ in range(8)]
    v = "2a0%d:%s" % (r.randint(0, 9), ":".join(groups[1:]))
    return v if r.random() < 0.5 else "2001:db8:%s::%s" % (groups[2], groups[7])


# Identifiers that encode the birth date, made to agree with the stated date of birth.

def pesel_for(r, y, m, dd):
    body = "%02d%02d%02d" % (y % 100, m + (20 if y >= 2000 else 0), dd) + d(r, 4)
    weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    return body + str((10 - sum(int(c) * w for c, w in zip(body, weights)) % 10) % 10)


def pnr_for(r, y, m, dd):
    v = luhn_complete("%02d%02d%02d" % (y % 100, m, dd) + d(r, 3))
    return ("%d" % (y // 100) + v[:6] if r.random() < 0.4 else v[:6]) + "-" + v[6:]


def nir_for(r, y, m, feminine):
    body = ("2" if feminine else "1") + "%02d%02d" % (y % 100, m) + "%02d" % r.randint(1, 95) + d(r, 6)
    v = body + "%02d" % (97 - int(body) % 97)
    return r.choice([v, v, "%s %s %s %s %s %s %s" % (v[0], v[1:3], v[3:5], v[5:7], v[7:10], v[10:13], v[13:])])


def cf_for(r, y, m, dd, feminine):
    v = cf(r)
    body = v[:6] + "%02d" % (y % 100) + "ABCDEHLMPRST"[m - 1] + "%02d" % (dd + (40 if feminine else 0)) + v[11:15]
    total = sum(CF_ODD[int(c) if c.isdigit() else ord(c) - 65] if i % 2 == 0 else
                (int(c) if c.isdigit() else ord(c) - 65) for i, c in enumerate(body))
    return body + string.ascii_uppercase[total % 26]


# Templates. Each returns a Rec; wording varies by random choices within each.

def t_complaint_letter(r):
    p = person(r, r.choice(["en", "ie", "south_asia", "africa"]))
    country = r.choice(["UK", "UK", "US"])
    rec = Rec().t(r.choice(["Dear Sir or Madam,\n\n", "To the Complaints Team,\n\n", "Hello,\n\n"]))
    rec.t(r.choice(["I am writing to complain about ", "I wish to raise a formal complaint regarding ",
                    "Please treat this as a complaint about "]))
    rec.t(r.choice(["a payment of ", "an unexpected charge of ", "the fee of "])).n("amount", amount(r))
    rec.t(" taken on ").n("date", event_date(r)).t(r.choice([" from my card ", " using card ending in my full number "]))
    rec.s("CREDIT_CARD", card(r)).t(". ")
    rec.t(r.choice(["Your reference was ", "Your agent gave me reference ", "The case number is "])).n("case_no", case_id(r))
    rec.t(r.choice([". I have banked with you for years and ", ". As a long-standing customer, "]))
    rec.t(r.choice(["expect better.", "I am disappointed.", "want this resolved."]))
    rec.t("\n\nYours faithfully,\n\n").s("PERSON", p.form(r, ("full", "middle", "full")))
    rec.t("\n").s("POSTAL_ADDRESS", ADDRESS[country](r, sep=r.choice([", ", "\n"]) if country == "UK" else ", "))
    rec.t("\n" + r.choice(["Tel: ", "Phone ", "Mobile: "])).s("PHONE", phone(r, country))
    return rec


def t_mortgage_application(r):
    p, q = person(r, r.choice(["en", "us", "tr", "fa"])), person(r)
    rec = Rec().t(r.choice(["MORTGAGE APPLICATION – SUMMARY FOR UNDERWRITING\n", "Mortgage application (joint)\n",
                            "Underwriting pack, residential mortgage\n"]))
    rec.t("Applicant 1: ").s("PERSON", p.form(r, ("full", "caps", "comma")))
    rec.t(r.choice([", DOB ", ", date of birth ", " (born "])).s("DATE_OF_BIRTH", birth(r, "en"))
    rec.t(")" if rec.parts[-2][1] == " (born " else "").t("\nApplicant 2: ").s("PERSON", q.form(r, ("full", "middle")))
    rec.t("\nSecurity address: ").s("POSTAL_ADDRESS", uk_address(r))
    rec.t("\nLoan requested: ").n("amount", amount(r)).t(" over 25 years at ").n("rate", "%.2f%% APRC" % (r.randint(350, 690) / 100))
    rec.t("\nSalary credited to sort code ").n("sort_code", sort_code(r)).t(", account ").s("BANK_ACCOUNT", d(r, 8))
    rec.t("\nNINO: ").s("NATIONAL_ID", nino(r)).t("\nAssessed by: the ").n("role", r.choice(ROLES[5:8]))
    return rec


def t_kyc_remediation(r):
    p = person(r, r.choice(["de", "nl", "pl", "sv", "it", "es", "fr"]))
    ids = {"de": ("Steuer-ID", steuer), "nl": ("BSN", bsn_fmt), "pl": ("PESEL", pesel), "sv": ("personnummer", pnr),
           "it": ("codice fiscale", cf), "es": (r.choice(["DNI", "NIE"]), None), "fr": ("NIR", nir_fmt)}
    label, fn = ids[p.group]
    value = fn(r) if fn else (dni(r) if label == "DNI" else nie(r))
    rec = Rec().t(r.choice(["KYC remediation note – ", "Periodic review (KYC refresh) – ", "CDD remediation: "]))
    rec.n("case_no", case_id(r)).t("\nCustomer ").s("PERSON", p.form(r, ("full", "caps", "comma", "initial")))
    rec.t(r.choice([" provided ", " re-submitted ", " uploaded "])).t(label + " ").s("NATIONAL_ID", value)
    rec.t(r.choice([" and proof of address (", " with a utility bill dated "])).n("date", event_date(r))
    rec.t(")" if rec.parts[-2][1].endswith("(") else "").t(". Risk rating raised to ").n("grade", r.choice(["HIGH", "MEDIUM-HIGH"]))
    rec.t(r.choice([" after screening against ", " following a hit on "])).n("brand", r.choice(["Dow Jones", "Lloyd's Register"]))
    rec.t(r.choice([" watchlists.", " data."]))
    if r.random() < 0.6:
        rec.t(" Source of funds: sale of shares held with ").n("brand", r.choice(BRANDS[:3])).t(".")
    return rec


def t_fraud_alert(r):
    p = person(r)
    rec = Rec().t(r.choice(["[FRAUD ALERT] ", "Fraud alert – ", "ALERT fraud.velocity: "]))
    rec.t(r.choice(["Card ", "PAN "])).s("CREDIT_CARD", card(r)).t(r.choice([" used at ", " authorised at "]))
    rec.n("brand", r.choice(["Harvey Nichols", "Christian Dior", "Selfridges", "Yves Saint Laurent"]))
    rec.t(" for ").n("amount", amount(r)).t(" from IP ").s("IP_ADDRESS", r.choice([ipv4, ipv6])(r))
    rec.t(" at ").n("timestamp", timestamp(r)).t(". Cardholder ").s("PERSON", p.form(r))
    rec.t(r.choice([" did not recognise it", " confirmed fraud", " could not be reached"])).t(" (contact ")
    rec.s("EMAIL", email(r, p)).t("). Rule ").n("version", version(r)).t(r.choice([" fired.", " scored 0.93."]))
    return rec


def t_prescription(r):
    p = person(r, r.choice(["en", "ie", "south_asia", "arab", "africa"]))
    drug = r.choice(["Levodopa 100 mg", "Hydrocortisone 10 mg", "Carbimazole 20 mg", "Prednisolone 5 mg"])
    ep = r.choice(EPONYMS_MED[:7])
    rec = Rec().t(r.choice(["Pharmacy note: ", "Repeat prescription request – ", "Dispensing query: "]))
    rec.s("PERSON", p.form(r, ("full", "initial", "comma")))
    rec.t(r.choice([" (NHS no. ", " (NHS ", ", NHS number "])).s("MEDICAL_RECORD", nhs_fmt(r))
    rec.t(")" if "(" in rec.parts[-2][1] else "").t(", DOB ").s("DATE_OF_BIRTH", birth(r, "en", r.choice(["dmy_slash", "abbr"])))
    rec.t(r.choice([", requests ", ", needs "])).n("drug", drug).t(" for ").n("eponym_medical", ep)
    rec.t(". ").n("start_word", r.choice(STARTS[1:3])).t(" Collect from branch ").n("sku", sku(r))
    rec.t(r.choice([" after ", " on "])).n("date", event_date(r, "en", "dmy_slash")).t(". ")
    rec.t("Signed: ").n("role", "Duty Pharmacist")
    return rec


def t_lab_result(r):
    p = person(r)
    rec = Rec().t(r.choice(["LAB RESULT\n", "Laboratory report\n", "Pathology result – final\n"]))
    rec.t("Patient: ").s("PERSON", p.form(r, ("caps_comma", "comma", "caps", "full")))
    rec.t("\nMRN: ").s("MEDICAL_RECORD", mrn(r)).t("\nDOB: ").s("DATE_OF_BIRTH", birth(r, "en", r.choice(["iso", "abbr", "us"])))
    rec.t("\nCollected: ").n("timestamp", timestamp(r)).t("\n")
    rec.t(r.choice(["HbA1c 48 mmol/mol; ", "CRP 12 mg/L; ", "TSH 0.02 mU/L; "])).t("comment: consistent with ")
    rec.n("eponym_medical", r.choice(EPONYMS_MED)).t(". Analyser firmware ").n("version", version(r))
    rec.t(", batch ").n("batch", "LOT %s%s" % (r.choice("ABCDEFG"), d(r, 5))).t(".\nReported by: ").n("role", "Consultant Radiologist" if r.random() < 0.2 else "Clinical Coder")
    return rec


def t_appointment_reminder(r):
    p = person(r, r.choice(["en", "us", "es", "africa", "east_asia"]))
    country = "US" if p.group == "us" else r.choice(["UK", "US"])
    first = p.first
    rec = Rec().t(r.choice(["Reminder: ", "Hi ", "Dear "])).s("PERSON", first)
    booked = r.random() < 0.5
    rec.t(", you are booked in at " if booked else ", your appointment at ").n("institution", r.choice(
        ["Mayo Clinic", "Cleveland Clinic", "Moorfields Eye Hospital", "St Thomas' Hospital"]))
    rec.t(" on " if booked else " is on ").n("date", event_date(r, "en", "long")).t(" at ").n("time", "%d:%02d %s" % (r.randint(1, 11), r.choice([0, 15, 30, 45]), r.choice(["am", "pm"])))
    rec.t(". Reply STOP to opt out. ")
    rec.t(r.choice(["We will text ", "Confirmation sent to "])).s("PHONE", phone(r, country))
    rec.t(r.choice([". Ref ", ". Booking "])).n("booking", "APT-%s" % d(r, 6)).t(".")
    return rec


def t_jira_ticket(r):
    p, q = person(r), person(r)
    rec = Rec().t("[%s-%d] " % (r.choice(["PAY", "CORE", "KYC", "DATA"]), r.randint(100, 9999)))
    rec.t(r.choice(["Customer record corrupt after migration\n", "Statement export shows wrong owner\n",
                    "Duplicate profile created by batch job\n"]))
    rec.t("Reporter: ").s("PERSON", q.form(r, ("full", "lower"))).t("\nPriority: P2 | Fix version: ").n("version", version(r))
    rec.t("\nDescription:\nAfter deploy ").n("build", build_no(r)).t(r.choice([" the profile of ", " customer "]))
    rec.s("PERSON", p.form(r)).t(" (").s("EMAIL", email(r, p)).t(r.choice([") shows IBAN ", ") now displays IBAN "]))
    rec.s("IBAN", iban(r)).t(r.choice([" instead of the old one.", " twice."]))
    rec.t(" Commit ").n("git_sha", git_sha(r)).t(" may be related.")
    return rec


def t_servicenow(r):
    p = person(r, r.choice(["en", "us", "de", "south_asia"]))
    rec = Rec().t("Number: ").n("ticket", "INC%s" % d(r, 7)).t("\nCaller: ").s("PERSON", p.form(r, ("full", "comma")))
    rec.t("\nShort description: ").t(r.choice(["VPN drops every hour", "Cannot open payroll report",
                                               "Locked out of Citrix"])).t("\nWork notes (")
    rec.n("timestamp", timestamp(r)).t("): user connects from ").s("IP_ADDRESS", ipv4(r))
    rec.t(r.choice([", client ", ", agent "])).n("ip_version", ip_version(r)).t(". Callback ")
    rec.s("PHONE", phone(r, "US" if p.group == "us" else r.choice(["UK", "DE", "US"])))
    rec.t(". Assignment group: ").n("role", "Service Desk Analyst").t(".")
    return rec


def t_slack_export(r):
    a, b, c = person(r), person(r), person(r, r.choice(["en", "us", "de", "nl"]))
    times = iter(sorted("[%02d:%02d] " % (r.randint(7, 18), r.randint(0, 59)) for _ in range(3)))
    rec = Rec().t(next(times)).s("PERSON", a.first.lower() if r.random() < 0.5 else a.full())
    rec.t(": " + r.choice(["can someone check why ", "anyone know why ", "heads up, "])).s("PERSON", c.form(r, ("full", "lower", "caps")))
    rec.t(r.choice(["'s transfer bounced? IBAN ", " has a failed payment, IBAN "])).s("IBAN", iban(r)).t("\n")
    rec.t(next(times)).s("PERSON", b.full()).t(": ")
    rec.t(r.choice(["looks like a typo, they sent ", "checked – the beneficiary bank rejected ", "ops says the IBAN they typed was "]))
    rec.n("bad_iban", bad_iban(r)).t(r.choice([" which fails the checksum", " (bad check digits)"])).t(". ")
    rec.n("start_word", r.choice(STARTS[3:6])).t("\n")
    rec.t(next(times)).s("PERSON", a.first.lower() if r.random() < 0.5 else a.first)
    rec.t(": " + r.choice(["thx :thumbsup:", "ok ty", "cheers"]))
    return rec


def t_teams_export(r):
    a, b = person(r), person(r)
    rec = Rec().t(r.choice(["Microsoft Teams chat export\n", "Teams export – channel #retail-ops\n"]))
    rec.s("PERSON", a.form(r, ("comma", "full"))).t(" " + event_date(r, "en", "dmy_slash") + " ")
    rec.t(r.choice(["Client's mobile is ", "New number for the client: ", "pls call back on "]))
    rec.s("PHONE", phone(r, r.choice(["UK", "DE", "FR", "NL", "IT"]))).t("\n")
    rec.s("PERSON", b.form(r, ("comma", "full"))).t(": ")
    rec.t(r.choice(["done, and the ", "noted. the "])).n("role", r.choice(ROLES[:5]))
    rec.t(r.choice([" approved the limit of ", " signed off "])).n("amount", amount(r)).t(".")
    return rec


def t_csv_export(r):
    rows = r.randint(2, 3)
    rec = Rec().t(r.choice(["customer_id,name,email,phone,iban,created\n", "id,full_name,email,mobile,iban,opened\n"]))
    for _ in range(rows):
        p = person(r)
        country = r.choice(["UK", "DE", "FR", "ES", "NL", "IT", "PL", "SE"])
        name = p.form(r, ("full", "caps", "comma"))
        if "," in name:
            name_part = ("\"", name, "\"")
        else:
            name_part = ("", name, "")
        rec.n("cust_id", "C%s" % d(r, 7)).t("," + name_part[0]).s("PERSON", name_part[1]).t(name_part[2] + ",")
        rec.s("EMAIL", email(r, p)).t(",").s("PHONE", phone(r, country)).t(",")
        cc = {"UK": "GB", "SE": "SE", "PL": "PL"}.get(country, country)
        rec.s("IBAN", iban_compact(r, cc)).t(",").n("date", event_date(r, "en", "iso")).t("\n")
    return rec


def t_tsv_payroll(r):
    rec = Rec().t("emp_no\tname\tssn\trouting\taccount\tgross\n")
    for _ in range(r.randint(2, 3)):
        p = person(r, r.choice(["us", "en", "africa", "east_asia", "south_asia"]))
        rec.n("emp_no", "E%s" % d(r, 5)).t("\t").s("PERSON", p.form(r, ("full", "caps", "comma", "eastern" if p.group == "east_asia" else "full")))
        rec.t("\t").s("US_SSN", ssn(r)).t("\t").n("routing", aba(r)).t("\t").s("BANK_ACCOUNT", nz(r, r.randint(8, 12)))
        rec.t("\t").n("amount", "%d,%03d.%02d" % (r.randint(1, 19), r.randint(0, 999), r.randint(0, 99))).t("\n")
    return rec


def t_json_payload(r):
    p = person(r)
    country = r.choice(["UK", "DE", "FR", "ES", "IT", "NL", "US"])
    rec = Rec().t('{"request_id": "').n("uuid", uuid(r)).t('", "data": {"party": {"name": {"given": "')
    rec.s("PERSON", p.first).t('", "family": "').s("PERSON", p.last).t('"}, "birth_date": "')
    rec.s("DATE_OF_BIRTH", birth(r, "en", "iso")).t('", "contact": {"email": "').s("EMAIL", email(r, p))
    rec.t('", "phones": [{"type": "mobile", "number": "').s("PHONE", phone(r, country)).t('"}]}, "addresses": [{"line": "')
    rec.s("POSTAL_ADDRESS", ADDRESS[country](r)).t('", "since": "').n("date", event_date(r, "en", "iso"))
    rec.t('"}]}, "meta": {"client_version": "').n("version", version(r)).t('", "amount": "').n("amount", amount(r)).t('"}}}')
    return rec


def t_yaml_config(r):
    rec = Rec().t(r.choice(["# claims-ingest deployment values\n", "# config/prod.yaml\n"]))
    rec.t("service:\n  image: registry.example.com/ingest:").n("version", version(r).replace(" ", "-"))
    rec.t("\n  replicas: 3\nintegrations:\n  stripe:\n    secret_key: ").s("SECRET", secret(r, "stripe"))
    rec.t("\n  sendgrid:\n    api_key: \"").s("SECRET", secret(r, "sendgrid")).t("\"\n  aws:\n    access_key_id: ")
    rec.s("SECRET", secret(r, "aws_id")).t("\n    secret_access_key: ").s("SECRET", secret(r, "aws_secret"))
    rec.t("\n    region: eu-west-2\nowner: ").s("EMAIL", email(r, person(r))).t("\n")
    return rec


def t_env_leak(r):
    rec = Rec().t(r.choice(["Why does the deploy fail? Here is my .env:\n", "pasting the env for debugging:\n"]))
    for kind, key in r.sample([("anthropic", "ANTHROPIC_API_KEY"), ("openai", "OPENAI_API_KEY"), ("hf", "HF_TOKEN"),
                               ("google", "GOOGLE_MAPS_KEY"), ("github_pat", "GH_TOKEN"), ("slack", "SLACK_TOKEN"),
                               ("gitlab", "CI_JOB_TOKEN_OVERRIDE")], 3):
        rec.t(key + "=").s("SECRET", secret(r, kind)).t("\n")
    rec.t("APP_VERSION=").n("version", version(r).replace(" ", "-")).t("\nLISTEN=").n("host_port", "0.0.0.0:%d" % r.choice([8080, 8443, 9090]))
    return rec


def t_sql(r):
    rec = Rec().t(r.choice(["INSERT INTO patients (mrn, surname, forename, dob, nhs_no) VALUES\n",
                            "insert into patients (mrn, surname, forename, dob, nhs_no) values\n"]))
    rows = r.randint(2, 3)
    for i in range(rows):
        p = person(r)
        rec.t("  ('").s("MEDICAL_RECORD", mrn(r)).t("', '").s("PERSON", p.last)
        rec.t("', '").s("PERSON", p.first).t("', '").s("DATE_OF_BIRTH", birth(r, "en", "iso")).t("', '")
        rec.s("MEDICAL_RECORD", nhs_number(r)).t("')" + ("," if i < rows - 1 else ";") + "\n")
    rec.t("-- ticket ").n("ticket", case_id(r)).t(", migration ").n("version", version(r))
    return rec


def t_sql_fix(r):
    rec = Rec()
    recs = []
    for _ in range(r.randint(2, 3)):
        recs.append((person(r), r.choice(["card", "ssn"])))
    rec.t("-- fix ").n("ticket", case_id(r)).t("\nUPDATE customers SET ")
    p, kind = recs[0]
    if kind == "card":
        rec.t("card_pan = '").s("CREDIT_CARD", card_number(r)).t("'")
    else:
        rec.t("tax_id = '").s("US_SSN", ssn(r, "plain")).t("'")
    rec.t(" WHERE full_name = '").s("PERSON", p.full()).t("' AND created_at < '").n("timestamp", timestamp(r)).t("';\n")
    rec.t("SELECT * FROM cards WHERE pan = '").n("bad_luhn_card", bad_card(r).replace(" ", "").replace("-", "")).t("'; -- test pan, fails Luhn\n")
    rec.t("SELECT * FROM orders WHERE order_ref = '").n("order_id", order_id(r)).t("';")
    return rec


def t_python_fixture(r):
    p = person(r)
    rec = Rec().t("import pytest\n\n\n@pytest.fixture\ndef customer():\n    return Customer(\n        name=\"")
    rec.s("PERSON", p.full()).t("\",\n        email=\"").s("EMAIL", email(r, p)).t("\",\n        ssn=\"").s("US_SSN", ssn(r))
    rec.t("\",\n        card=\"").s("CREDIT_CARD", card(r)).t("\",\n    )\n\n\nINVALID_CARDS = [\"")
    rec.n("bad_luhn_card", bad_card(r)).t("\", \"").n("bad_luhn_card", bad_card(r)).t("\"]\nINVALID_IBAN = \"")
    rec.n("bad_iban", bad_iban(r)).t("\"\nBUILD = \"").n("build", build_no(r)).t("\"\n")
    return rec


def t_java_fixture(r):
    p = person(r, r.choice(["de", "nl", "fr", "pl", "sv"]))
    rec = Rec().t("@Test\nvoid rejectsInvalidIdentifiers() {\n    var valid = new Holder(\"")
    rec.s("PERSON", p.full()).t("\", \"").s("IBAN", iban_compact(r, {"sv": "SE", "pl": "PL", "de": "DE", "nl": "NL", "fr": "FR"}[p.group]))
    rec.t("\");\n    assertThat(validator.isValid(\"").n("bad_bsn", bad_bsn(r)).t("\")).isFalse();\n    assertThat(validator.isValid(\"")
    rec.n(*r.choice([("bad_steuer_id", bad_steuer(r)), ("bad_pesel", bad_pesel(r)), ("bad_personnummer", bad_pnr(r)),
                     ("bad_nir", bad_nir(r)), ("bad_dni", bad_dni(r)), ("bad_cf", bad_cf(r))]))
    rec.t("\")).isFalse();\n    assertThat(validator.isValid(\"").n("bad_nhs", bad_nhs(r)).t("\")).isFalse();\n")
    rec.t("    // see ").n("ticket", case_id(r)).t(", fixed in ").n("version", version(r)).t("\n}")
    return rec


def t_log_lines(r):
    p = person(r)
    rec = Rec()
    rec.n("timestamp", timestamp(r)).t(" INFO  [auth-%d] login ok user=" % r.randint(1, 9)).s("EMAIL", email(r, p))
    rec.t(" ip=").s("IP_ADDRESS", ipv4(r)).t(" ua=okhttp/").n("version", "%d.%d.%d" % (r.randint(3, 5), r.randint(0, 12), r.randint(0, 9))).t("\n")
    rec.n("timestamp", timestamp(r)).t(" WARN  [auth-%d] mfa reset requested for " % r.randint(1, 9))
    rec.s("PERSON", p.form(r, ("full", "lower", "caps"))).t(" from ").s("IP_ADDRESS", ipv6(r)).t(" trace=").n("trace_id", rstr(r, 32, "0123456789abcdef")).t("\n")
    rec.n("timestamp", timestamp(r)).t(" DEBUG [http] GET /v2/health 200 in %dms build=" % r.randint(2, 90)).n("ip_version", ip_version(r))
    return rec


def t_email_thread(r):
    a, b = person(r), person(r, r.choice(["en", "us", "ie"]))
    rec = Rec().t(r.choice(["Thanks, I have updated the mandate.\n\n", "Done – please check tomorrow.\n\n"]))
    rec.s("PERSON", b.first).t("\n").n("role", r.choice(ROLES[:6])).t(" | ").n("brand", r.choice(BRANDS[:4])).t("\n")
    rec.t("D: ").s("PHONE", phone(r, "UK")).t("\n\n")
    rec.t("On ").n("date", event_date(r, "en", "long")).t(", ").s("PERSON", a.full()).t(" <").s("EMAIL", email(r, a))
    rec.t("> wrote:\n> " + r.choice(["Hi ", "Hello ", "Dear "])).s("PERSON", b.first).t(",\n> ")
    rec.t(r.choice(["please move my direct debit to IBAN ", "my new account is IBAN ", "pay the refund into "]))
    rec.s("IBAN", iban(r)).t(".\n> ").t(r.choice(["My old card ", "I cancelled card "])).s("CREDIT_CARD", card(r))
    rec.t(".\n> Regards, ").s("PERSON", a.first)
    return rec


def t_meeting_minutes(r):
    a, b, c = person(r), person(r), person(r)
    rec = Rec().t(r.choice(["Minutes – Credit Committee, ", "Meeting minutes: Complaints forum, "])).n("date", event_date(r, "en", "long"))
    rec.t("\nPresent: ").s("PERSON", a.form(r, ("initial", "full", "initials"))).t(" (chair), ").s("PERSON", b.form(r, ("initial", "full", "initials")))
    rec.t(", ").s("PERSON", c.form(r, ("initial", "full", "initials"))).t(", and the ").n("role", r.choice(ROLES))
    rec.t(".\n1. ").n("start_word", r.choice(STARTS)).t(" Exposure to ").n("place", r.choice(PLACES)).t(" developers stands at ")
    rec.n("amount", amount(r)).t(".\n2. Model review: the ").n("eponym", r.choice(EPONYMS_SCI)).t(" was recalibrated (")
    rec.n("version", version(r)).t(").\n3. AOB: ").s("PERSON", a.first).t(r.choice([" to circulate the paper.", " will follow up."]))
    return rec


def t_chatbot(r):
    p = person(r, r.choice(["en", "us", "africa", "south_asia", "arab", "tr"]))
    country = "US" if p.group == "us" else r.choice(["UK", "US"])
    rec = Rec().t("Bot: Hi! I'm Vee, your virtual assistant. How can I help?\nUser: ")
    rec.t(r.choice(["hi my name is ", "hello, this is ", "hey its "])).s("PERSON", p.form(r, ("lower", "full", "full")))
    rec.t(r.choice([" and i lost my card", ", i need to update my address", " – can't log in"])).t("\n")
    rec.t("Bot: Sorry to hear that. To verify, please give your date of birth.\nUser: ").s("DATE_OF_BIRTH", birth(r, "en"))
    rec.t("\nBot: Thanks. And the postcode or address on file?\nUser: ").s("POSTAL_ADDRESS", ADDRESS[country](r))
    if country == "US":
        rec.t("\nUser: last 4 of social are ").n("last4", d(r, 4)).t(", full one is ").s("US_SSN", ssn(r))
    else:
        rec.t("\nUser: my NI number is ").s("NATIONAL_ID", nino(r))
    rec.t("\nBot: Thank you. Your case ").n("case_no", case_id(r)).t(" is open.")
    return rec


def t_de_beschwerde(r):
    p = person(r, "de")
    rec = Rec("de").t(r.choice(["Sehr geehrte Damen und Herren,\n\n", "Guten Tag,\n\n"]))
    rec.t(r.choice(["hiermit widerspreche ich der Lastschrift über ", "ich beschwere mich über die Abbuchung von "]))
    rec.n("amount", "%d.%03d,%02d €" % (r.randint(1, 99), r.randint(0, 999), r.randint(0, 99))).t(" vom ").n("date", event_date(r, "de", "dot"))
    rec.t(". Mein Konto: IBAN ").s("IBAN", iban(r, "DE")).t(". Meine Steuer-ID lautet ").s("NATIONAL_ID", steuer(r))
    rec.t(r.choice([". Ich bin am ", ". Ich wurde am "])).s("DATE_OF_BIRTH", birth(r, "de", r.choice(["dot", "long"])))
    rec.t(r.choice([" geboren. Meine Anschrift: ", " geboren und wohne jetzt unter der Anschrift "])).s("POSTAL_ADDRESS", de_address(r)).t(".\n\nMit freundlichen Grüßen\n")
    rec.s("PERSON", p.form(r, ("full", "caps"))).t("\nTel. ").s("PHONE", phone(r, "DE"))
    return rec


def t_de_arztbrief(r):
    p, doc = person(r, r.choice(["de", "tr", "pl"])), person(r, "de")
    rec = Rec("de").t("Arztbrief – Entlassung am ").n("date", event_date(r, "de", "dot")).t("\nPatient").t(r.choice(["in ", " "]))
    rec.s("PERSON", p.form(r, ("full", "comma", "caps_comma"))).t(", geb. ").s("DATE_OF_BIRTH", birth(r, "de", "dot"))
    rec.t(", Versichertennr. ").s("MEDICAL_RECORD", kvnr(r)).t("\nDiagnose: ").n("eponym_medical", r.choice(["Morbus Basedow", "Morbus Addison", "Cushing-Syndrom", "Hashimoto-Thyreoiditis"]))
    rec.t(". Wiedervorstellung in ").n("place", r.choice(["Bad Tölz", "Frankfurt (Oder)", "Sankt Augustin"]))
    rec.t(".\nMit kollegialen Grüßen\nDr. med. ").s("PERSON", doc.full()).t(", ").n("role", "Oberarzt Innere Medizin")
    return rec


def t_fr_reclamation(r):
    p = person(r, r.choice(["fr", "africa", "arab"]))
    rec = Rec("fr").t(r.choice(["Madame, Monsieur,\n\n", "Bonjour,\n\n"]))
    feminine = r.random() < 0.5
    rec.t("Je soussignée " if feminine else "Je soussigné ").s("PERSON", p.form(r, ("full", "caps")))
    y, m, dd = ymd(r, 1931, 2006)
    rec.t(", née le " if feminine else ", né le ").s("DATE_OF_BIRTH", fmt_date(r, y, m, dd, "fr", r.choice(["long", "dmy_slash"])))
    rec.t(", numéro de sécurité sociale ").s("NATIONAL_ID", nir_for(r, y, m, feminine)).t(", demeurant ").s("POSTAL_ADDRESS", fr_address(r))
    rec.t(r.choice([", conteste le prélèvement de ", ", conteste les frais de "])).n("amount", "%d %03d,%02d €" % (r.randint(1, 99), r.randint(0, 999), r.randint(0, 99)))
    rec.t(" du ").n("date", event_date(r, "fr", "dmy_slash")).t(". Joignable au ").s("PHONE", phone(r, "FR"))
    rec.t(" ou par courriel : ").s("EMAIL", email(r, p)).t(".\n\nCordialement.")
    return rec


def t_es_hipoteca(r):
    p = person(r, r.choice(["es", "es", "pt"]))
    rec = Rec("es").t(r.choice(["Solicitud de hipoteca\n", "Alta de cliente – préstamo hipotecario\n"]))
    rec.t("Titular: ").s("PERSON", p.form(r, ("full", "caps"))).t("\n").t(r.choice(["DNI: ", "NIE: "]))
    rec.s("NATIONAL_ID", dni(r) if rec.parts[-1][1] == "DNI: " else nie(r)).t("\nFecha de nacimiento: ").s("DATE_OF_BIRTH", birth(r, "es", r.choice(["dmy_slash", "long"])))
    rec.t("\nDomicilio: ").s("POSTAL_ADDRESS", es_address(r)).t("\nMóvil: ").s("PHONE", phone(r, "ES"))
    rec.t("\nImporte: ").n("amount", "%d.%03d €" % (r.randint(80, 600), r.randint(0, 999))).t(" – tasación ").n("case_no", "TAS-%s" % d(r, 6))
    rec.t("\nFecha de firma prevista: ").n("date", event_date(r, "es", "long"))
    return rec


def t_it_referto(r):
    p = person(r, "it")
    salutation = r.choice(["Egregio Sig. ", "Gentile Sig.ra ", "Gentile Dott.ssa ", "Egregio Dott. "])
    born = "nata il " if salutation.startswith("Gentile") else "nato il "
    rec = Rec("it").t(salutation).s("PERSON", p.last).t(",\n")
    rec.t(r.choice(["le inviamo il referto dell'esame del ", "in allegato il referto della visita del "])).n("date", event_date(r, "it", "dot"))
    y, m, dd = ymd(r, 1931, 2006)
    rec.t(". Codice fiscale: ").s("NATIONAL_ID", cf_for(r, y, m, dd, born == "nata il "))
    rec.t(", " + born).s("DATE_OF_BIRTH", fmt_date(r, y, m, dd, "it", "long"))
    rec.t(", residente in ").s("POSTAL_ADDRESS", it_address(r)).t(". Per informazioni chiami il ").s("PHONE", phone(r, "IT"))
    rec.t(". Diagnosi: ").n("eponym_medical", r.choice(["morbo di Crohn", "sindrome di Sjögren", "morbo di Graves"])).t(".\nCordiali saluti,\n")
    rec.s("PERSON", person(r, "it").full())
    return rec


def t_nl_brief(r):
    p = person(r, r.choice(["nl", "nl", "tr", "africa"]))
    salutation = r.choice(["Geachte heer ", "Geachte mevrouw ", "Beste "])
    rec = Rec("nl").t(salutation).s("PERSON", p.full() if salutation == "Beste " else p.last)
    rec.t(",\n\n").t(r.choice(["Wij hebben uw wijziging ontvangen. ", "Bedankt voor uw bericht. "]))
    rec.t("Uw BSN ").s("NATIONAL_ID", bsn_fmt(r)).t(" en nieuwe adres ").s("POSTAL_ADDRESS", nl_address(r))
    rec.t(" zijn verwerkt per ").n("date", event_date(r, "nl", "long")).t(". Uw IBAN ").s("IBAN", iban(r, "NL"))
    rec.t(" blijft ongewijzigd. Het nummer ").n("bad_bsn", bad_bsn(r)).t(" dat u ook noemde is ongeldig.\n")
    rec.t("Met vriendelijke groet,\n").s("PERSON", person(r, "nl").form(r, ("full", "initial"))).t("\nTel. ").s("PHONE", phone(r, "NL"))
    return rec


def t_pl_wniosek(r):
    p = person(r, "pl")
    rec = Rec("pl").t(r.choice(["Wniosek o kredyt gotówkowy\n", "Zgłoszenie reklamacji\n"]))
    y, m, dd = ymd(r, 1931, 2006)
    rec.t("Imię i nazwisko: ").s("PERSON", p.form(r, ("full", "caps"))).t("\nPESEL: ").s("NATIONAL_ID", pesel_for(r, y, m, dd))
    rec.t("\nData urodzenia: ").s("DATE_OF_BIRTH", fmt_date(r, y, m, dd, "pl", r.choice(["dot", "long"])))
    rec.t("\nTelefon: ").s("PHONE", phone(r, "PL")).t("\nE-mail: ").s("EMAIL", email(r, p))
    rec.t("\nRachunek: ").s("IBAN", iban(r, "PL")).t("\nKwota: ").n("amount", "%d %03d,%02d zł" % (r.randint(1, 99), r.randint(0, 999), r.randint(0, 99)))
    rec.t("\nNr wniosku: ").n("case_no", "WN/%d/%s" % (r.randint(2023, 2027), d(r, 6)))
    return rec


def t_sv_journal(r):
    p = person(r, "sv")
    rec = Rec("sv").t(r.choice(["Journalanteckning ", "Remiss, upprättad "])).n("date", event_date(r, "sv", "iso"))
    y, m, dd = ymd(r, 1931, 2006)
    rec.t("\nPatient: ").s("PERSON", p.form(r, ("full", "caps", "comma"))).t(", personnummer ").s("NATIONAL_ID", pnr_for(r, y, m, dd))
    rec.t(r.choice([". Född ", ". Födelsedatum: "])).s("DATE_OF_BIRTH", fmt_date(r, y, m, dd, "sv", r.choice(["long", "iso"])))
    rec.t(". Tel ").s("PHONE", phone(r, "SE")).t(". Misstänkt ").n("eponym_medical", r.choice(["Parkinsons sjukdom", "Bechterews sjukdom", "Crohns sjukdom"]))
    rec.t(". Remitteras till ").n("institution", r.choice(["Karolinska", "Sahlgrenska"])).t(".")
    return rec


NON_LATIN_TURNS = {"bank": itertools.cycle(["ru", "uk", "el", "ar", "zh"]),
                   "clinic": itertools.cycle(["zh", "ar", "ru", "el", "uk"])}


def t_nonlatin(r):
    lang = next(NON_LATIN_TURNS["bank"])
    name = r.choice(NON_LATIN[lang])
    country = {"ru": "RU", "uk": "UA", "el": "GR", "ar": "AE", "zh": "CN"}[lang]
    rec = Rec(lang)
    if lang == "ru":
        rec.t(r.choice(["Клиент ", "Заявитель "])).s("PERSON", name).t(" просит перевести средства на IBAN ").s("IBAN", iban(r))
        rec.t(". Телефон для связи: ").s("PHONE", phone(r, country)).t(". Сумма ").n("amount", amount(r)).t(".")
    elif lang == "uk":
        rec.t("Пацієнтка ").s("PERSON", name).t(" записана на прийом ").n("date", event_date(r, "en", "dot")).t(", телефон ").s("PHONE", phone(r, country)).t(".")
    elif lang == "el":
        rec.t("Ο πελάτης ").s("PERSON", name).t(" ζήτησε νέα κάρτα· παλιά κάρτα ").s("CREDIT_CARD", card(r)).t(", τηλέφωνο ").s("PHONE", phone(r, country)).t(".")
    elif lang == "ar":
        rec.t("العميلة ").s("PERSON", name).t(" طلبت تحديث رقم الهاتف إلى ").s("PHONE", phone(r, country)).t(" والبريد ").s("EMAIL", email(r)).t(".")
    else:
        rec.t("客户").s("PERSON", name).t("申请更换银行卡，手机").s("PHONE", phone(r, country)).t("，邮箱").s("EMAIL", email(r)).t("。")
    return rec


def t_nonlatin_clinic(r):
    lang = next(NON_LATIN_TURNS["clinic"])
    name = r.choice(NON_LATIN[lang])
    when = event_date(r, "en", "iso")
    rec = Rec(lang)
    if lang == "ru":
        rec.t("Выписка от ").n("date", when).t(". Пациент ").s("PERSON", name).t(", дата рождения ").s("DATE_OF_BIRTH", birth(r, "en", "dot"))
        rec.t(". Диагноз: ").n("eponym_medical", "болезнь Паркинсона").t(". Контакт: ").s("EMAIL", email(r)).t(".")
    elif lang == "uk":
        rec.t("Клієнт ").s("PERSON", name).t(" просить закрити рахунок ").s("IBAN", iban(r)).t(" до ").n("date", when).t(".")
    elif lang == "el":
        rec.t("Ο ασθενής ").s("PERSON", name).t(", ημερομηνία γέννησης ").s("DATE_OF_BIRTH", birth(r, "en", "dmy_slash"))
        rec.t(", εξετάστηκε στις ").n("date", when).t(". Τηλέφωνο ").s("PHONE", phone(r, "GR")).t(".")
    elif lang == "ar":
        rec.t("المريض ").s("PERSON", name).t("، تاريخ الميلاد ").s("DATE_OF_BIRTH", birth(r, "en", "iso"))
        rec.t("، موعد المراجعة ").n("date", when).t("، الهاتف ").s("PHONE", phone(r, "AE")).t(".")
    else:
        rec.t("患者").s("PERSON", name).t("，出生日期").s("DATE_OF_BIRTH", birth(r, "en", "iso")).t("，复诊日期").n("date", when)
        rec.t("，病历号").s("MEDICAL_RECORD", mrn(r)).t("。")
    return rec


def t_us_intake(r):
    p = person(r, r.choice(["us", "us", "en", "africa", "east_asia"]))
    rec = Rec().t(r.choice(["New patient intake\n", "Registration form (scanned, OCR)\n"]))
    rec.t("Name: ").s("PERSON", p.form(r, ("full", "caps", "comma", "middle"))).t("\nDate of Birth: ").s("DATE_OF_BIRTH", birth(r, "en", "us"))
    rec.t("\nSSN: ").s("US_SSN", ssn(r)).t("\nAddress: ").s("POSTAL_ADDRESS", us_address(r, sep=r.choice([", ", "\n"])))
    rec.t("\nPhone: ").s("PHONE", phone(r, "US")).t("\nHospital MRN: ").s("MEDICAL_RECORD", mrn(r))
    rec.t("\nReferred for: ").n("eponym_medical", r.choice(EPONYMS_MED[7:])).t("\nVisit date: ").n("date", event_date(r, "en", "us"))
    return rec


def t_travel_kyc(r):
    p = person(r, r.choice(["us", "en", "arab", "fa", "south_asia"]))
    rec = Rec().t(r.choice(["Wire release checklist – ", "Enhanced due diligence – "])).n("case_no", case_id(r)).t("\n")
    rec.t("Beneficiary ").s("PERSON", p.form(r, ("full", "caps", "comma"))).t(r.choice([" holds US passport ", " presented passport no. "]))
    rec.s("NATIONAL_ID", passport_us(r)).t(r.choice([" (expires ", " (issued "])).n("date", event_date(r, "en", "abbr")).t("). ")
    rec.t("Funds: ").n("amount", amount(r)).t(" to routing ").n("routing", aba(r)).t(", account ").s("BANK_ACCOUNT", nz(r, r.randint(9, 12)))
    rec.t(". Destination ").n("place", r.choice(PLACES)).t(". Approved by ").n("role", "Money Laundering Reporting Officer").t(".")
    return rec


def t_uk_bank_letter(r):
    p = person(r, r.choice(["en", "ie", "south_asia", "africa"]))
    rec = Rec().t(r.choice(["Dear ", "Dear Mr ", "Dear Ms ", "Dear Dr "]))
    if rec.parts[-1][1] == "Dear ":
        rec.s("PERSON", p.full())
    else:
        rec.s("PERSON", p.last)
    rec.t(",\n\n").t(r.choice(["Following your call, we have set up the standing order from sort code ",
                               "As requested, payments will now leave sort code "]))
    rec.n("sort_code", sort_code(r)).t(", account ").s("BANK_ACCOUNT", d(r, 8)).t(r.choice([" to ", " in favour of "]))
    rec.s("PERSON", person(r).full()).t(". Your NHS number ").s("MEDICAL_RECORD", nhs_fmt(r))
    rec.t(r.choice([" was on the form by mistake and we have not stored it.", " should not have been sent to us."]))
    rec.t("\n\n").n("start_word", r.choice(STARTS[5:])).t("\n\nKind regards,\n").n("role", "Complaints Handler")
    return rec


def t_lookalikes_finance(r):
    rec = Rec().t(r.choice(["Q3 note: ", "Market wrap: ", "Treasury update: "]))
    rec.n("brand", r.choice(BRANDS[:3])).t(" and ").n("brand", r.choice(BRANDS[3:9])).t(" reported ")
    rec.n("amount", amount(r)).t(" and ").n("amount", amount(r)).t(" respectively. ").n("start_word", r.choice(STARTS[:1] + STARTS[8:10]))
    rec.t(" Our ").n("eponym", r.choice(EPONYMS_SCI[:4] + EPONYMS_SCI[11:])).t(" model (").n("version", version(r))
    rec.t(") flagged invoice ").n("invoice_no", invoice_id(r)).t(" and order ").n("order_id", order_id(r)).t(". Test card ")
    rec.n("bad_luhn_card", bad_card(r)).t(" and IBAN ").n("bad_iban", bad_iban(r)).t(" are invalid on purpose.")
    return rec


def t_lookalikes_clinical(r):
    rec = Rec().t(r.choice(["Audit summary: ", "Clinical governance: ", "Ward round notes: "]))
    rec.n("eponym_medical", r.choice(EPONYMS_MED)).t(" and ").n("eponym_medical", r.choice(EPONYMS_MED)).t(" referrals rose in ")
    rec.n("place", r.choice(PLACES)).t(". ").n("start_word", r.choice(STARTS[1:8])).t(" The ").n("role", r.choice(["Ward Sister", "Consultant Radiologist", "Clinical Coder"]))
    rec.t(" rejected NHS number ").n("bad_nhs", bad_nhs(r)).t(" (check digit wrong) and sample ").n("sku", sku(r))
    rec.t(" on ").n("date", event_date(r)).t(". Scanner software ").n("ip_version", ip_version(r)).t(", ").n("build", build_no(r)).t(".")
    return rec


def t_mixed_ids_invalid(r):
    rec = Rec().t(r.choice(["Rejected by validation: ", "These failed the checksum and were not stored: "]))
    pool = [("bad_steuer_id", bad_steuer), ("bad_bsn", bad_bsn), ("bad_pesel", bad_pesel), ("bad_nir", bad_nir),
            ("bad_dni", bad_dni), ("bad_cf", bad_cf), ("bad_personnummer", bad_pnr), ("bad_nhs", bad_nhs)]
    picked = r.sample(pool, 4)
    for i, (kind, fn) in enumerate(picked):
        rec.t({"bad_steuer_id": "Steuer-ID ", "bad_bsn": "BSN ", "bad_pesel": "PESEL ", "bad_nir": "NIR ",
               "bad_dni": "DNI ", "bad_cf": "CF ", "bad_personnummer": "personnummer ", "bad_nhs": "NHS "}[kind])
        rec.n(kind, fn(r)).t("; " if i < 3 else ". ")
    p = person(r)
    opening, closing = r.choice([(" (", ") passed."), (" – ", " – passed."), (", id ", ", was accepted.")])
    rec.t("Only the record of ").s("PERSON", p.form(r)).t(opening).s("NATIONAL_ID", r.choice([steuer, bsn_fmt, pesel, nir_fmt, cf])(r))
    rec.t(closing).t(" Run ").n("uuid", uuid(r)).t(".")
    return rec


def t_insurance_claim(r):
    p = person(r)
    country = r.choice(["UK", "US"])
    rec = Rec().t(r.choice(["Claim form – travel insurance\n", "Home insurance claim\n"]))
    rec.t("Claim no: ").n("claim_no", "CLM%s" % d(r, 8)).t("\nPolicyholder: ").s("PERSON", p.form(r, ("full", "comma", "caps")))
    rec.t("\nEmail: ").s("EMAIL", email(r, p)).t("\nCorrespondence address: ").s("POSTAL_ADDRESS", ADDRESS[country](r, sep="\n") if country == "UK" else us_address(r))
    rec.t("\nIncident: ").n("start_word", r.choice(STARTS[6:8])).t(" Loss estimated at ").n("amount", amount(r))
    rec.t(" on ").n("date", event_date(r)).t(".\nRefund to card ").s("CREDIT_CARD", card(r))
    return rec


TEMPLATES = [t_complaint_letter, t_mortgage_application, t_kyc_remediation, t_fraud_alert, t_prescription,
             t_lab_result, t_appointment_reminder, t_jira_ticket, t_servicenow, t_slack_export, t_teams_export,
             t_csv_export, t_tsv_payroll, t_json_payload, t_yaml_config, t_env_leak, t_sql, t_sql_fix,
             t_python_fixture, t_java_fixture, t_log_lines, t_email_thread, t_meeting_minutes, t_chatbot,
             t_de_beschwerde, t_de_arztbrief, t_fr_reclamation, t_es_hipoteca, t_it_referto, t_nl_brief,
             t_pl_wniosek, t_sv_journal, t_nonlatin, t_nonlatin_clinic, t_us_intake, t_travel_kyc, t_uk_bank_letter,
             t_lookalikes_finance, t_lookalikes_clinical, t_mixed_ids_invalid, t_insurance_claim]


PARTICLE_WORDS = {"al", "el", "le", "de", "la", "van", "der", "von", "du", "dos", "degli", "ter", "zu", "bin", "ní", "mac", "ó"}


def existing_texts():
    texts = []
    for name in EXISTING:
        with open(os.path.join(PII_DIR, name), encoding="utf-8") as stream:
            texts.extend(json.loads(line)["text"] for line in stream if line.strip())
    return "\n".join(texts)


def assert_independent():
    """Fails if a name, street, city or look-alike used here occurs in any of the other corpora."""
    corpus = existing_texts()
    words = set()
    for pool in list(FIRST.values()) + list(LAST.values()):
        for entry in pool:
            words.update(re.split(r"[ \-]", entry))
    for first, last in PARTICLES:
        words.add(first)
        words.update(re.split(r"[ \-]", last))
    for names in NON_LATIN.values():
        for entry in names:
            words.update(entry.split(" ") if " " in entry else [entry])
    words = {w for w in words if w and w.lower() not in PARTICLE_WORDS}
    phrases = set()
    for streets in STREETS.values():
        phrases.update(streets)
    for cities in CITIES.values():
        phrases.update(c[0] for c in cities)
    phrases.update(BRANDS + EPONYMS_MED + EPONYMS_SCI + PLACES + ROLES + STARTS)
    clashes = sorted(w for w in words | phrases
                     if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", corpus, re.IGNORECASE))
    assert not clashes, "already used by another corpus: %s" % clashes


def validate(record):
    text, last_end = record["text"], -1
    # Offsets are code points here and UTF-16 units in the Java loader; they agree only inside the BMP.
    assert all(ord(c) <= 0xFFFF for c in text), ("non-BMP character", record["id"])
    for span in sorted(record["spans"], key=lambda s: s["start"]):
        assert text[span["start"]:span["end"]] == span["value"], (record["id"], span)
        assert span["start"] >= last_end, ("overlap", record["id"], span)
        assert span["value"] == span["value"].strip() and span["value"], ("blank edge", record["id"], span)
        last_end = span["end"]
    for negative in record["negatives"]:
        assert negative["value"] in text, (record["id"], negative)
        for span in record["spans"]:
            assert negative["value"] not in span["value"] and span["value"] not in negative["value"], (
                "negative overlaps a span", record["id"], negative, span)
    return record


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def national_id_ok(v):
    """Whether v passes the check of the scheme its shape names (None for shapes without a check, e.g. passports)."""
    compact = v.replace(" ", "")
    if re.fullmatch(r"\d{4}\.\d{2}\.\d{3}|\d{9}", v) and not re.fullmatch(r"[A-Z]\d{8}", v):
        return bsn_ok(v) if "." in v or bsn_ok(v) else None
    if re.fullmatch(r"\d{11}", compact):
        return pesel_ok(compact) or steuer_ok(compact)
    if re.fullmatch(r"\d{15}", compact):
        return 97 - int(compact[:13]) % 97 == int(compact[13:])
    if re.fullmatch(r"\d{8}[A-Z]", v):
        return DNI_LETTERS[int(v[:8]) % 23] == v[8]
    if re.fullmatch(r"[XYZ]\d{7}[A-Z]", v):
        return DNI_LETTERS[int(str("XYZ".index(v[0])) + v[1:8]) % 23] == v[8]
    if re.fullmatch(r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]", v):
        total = sum(CF_ODD[int(c) if c.isdigit() else ord(c) - 65] if i % 2 == 0 else
                    (int(c) if c.isdigit() else ord(c) - 65) for i, c in enumerate(v[:15]))
        return string.ascii_uppercase[total % 26] == v[15]
    if re.fullmatch(r"(\d{2})?\d{6}[-+]\d{4}", v):
        return luhn_ok(v[-11:-5] + v[-4:])
    return None


def check_identifiers(record):
    """Re-checks the check digits of what is labelled, so a slip in a generator cannot label an invalid number."""
    for span in record["spans"]:
        v = span["value"]
        if span["type"] == "NATIONAL_ID":
            assert national_id_ok(v) is not False, v
        if span["type"] == "IBAN":
            assert iban_valid(v), v
        if span["type"] == "CREDIT_CARD":
            assert luhn_ok(re.sub(r"[ -]", "", v)), v
        if span["type"] == "MEDICAL_RECORD" and re.fullmatch(r"\d{3}[ -]?\d{3}[ -]?\d{4}", v):
            assert nhs_ok(v), v
    for negative in record["negatives"]:
        v = negative["value"]
        if negative["kind"] == "bad_iban":
            assert not iban_valid(v), v
        if negative["kind"] == "bad_luhn_card":
            assert not luhn_ok(re.sub(r"[ -]", "", v)), v
        if negative["kind"] == "bad_nhs":
            assert not nhs_ok(v), v
        if negative["kind"] == "bad_bsn":
            assert not bsn_ok(v), v
        if negative["kind"] == "bad_steuer_id":
            assert not steuer_ok(v), v
        if negative["kind"] == "bad_pesel":
            assert not pesel_ok(v), v
        if negative["kind"] in ("bad_nir", "bad_dni", "bad_cf", "bad_personnummer"):
            assert national_id_ok(v) is False, (negative, v)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1307)
    parser.add_argument("--per-template", type=int, default=8)
    args = parser.parse_args()
    assert_independent()
    r = random.Random(args.seed)
    records = []
    for _ in range(args.per_template):
        for template in TEMPLATES:
            record = validate(template(r).build(len(records)))
            check_identifiers(record)
            records.append(record)
    out = os.path.normpath(os.path.join(PII_DIR, "judge.jsonl"))
    with open(out, "w", encoding="utf-8") as stream:
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    types = collections.Counter(s["type"] for rec in records for s in rec["spans"])
    kinds = collections.Counter(n["kind"] for rec in records for n in rec["negatives"])
    langs = collections.Counter(rec["lang"] for rec in records)
    print("wrote %d records (%d templates) to %s" % (len(records), len(TEMPLATES), out))
    print("spans by type:", dict(types.most_common()))
    print("negatives by kind:", dict(kinds.most_common()))
    print("records by lang:", dict(langs.most_common()))


if __name__ == "__main__":
    main()
