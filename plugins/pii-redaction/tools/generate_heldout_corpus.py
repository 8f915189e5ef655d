#!/usr/bin/env python3
"""Writes src/test/resources/pii/heldout.jsonl: a labelled PII corpus held out from tuning.

The detectors were tuned on dev-v2 (shared/pii/dev-v2.jsonl, copied beside this corpus). This one is built the same
way (texts, spans with type and value, look-alike negatives that must survive) from other names, other streets and
cities, and other templates, so that PiiCorpusQualityTest shows whether the rules learned kinds of text or records.
Names, streets and look-alikes are hand-picked here and chosen to differ from dev-v2's; identifiers are generated
with valid check digits (and the look-alikes with broken ones). Deterministic: the same seed writes the same file.

Usage: python3 generate_heldout_corpus.py [--seed 21] [--per-template 10]
"""
import argparse
import json
import os
import random
import string

FIRST = {
    "en": ["Oliver", "Harriet", "Rupert", "Imogen", "Callum", "Eleanor", "Declan", "Bridget", "Seamus", "Tamsin",
           "Gideon", "Philippa", "Alistair", "Rosalind", "Barnaby"],
    "de": ["Jürgen", "Annika", "Wiebke", "Matthias", "Friederike", "Lutz", "Henrike", "Volker", "Gesine", "Detlef"],
    "fr": ["Aurélien", "Ségolène", "Mathilde", "Étienne", "Bastien", "Capucine", "Gaspard", "Solène", "Honoré"],
    "es": ["Rodrigo", "Ximena", "Itziar", "Gonzalo", "Lucía", "Iñaki", "Begoña", "Fermín", "Consuelo"],
    "it": ["Gianluca", "Ludovica", "Beatrice", "Tommaso", "Ilaria", "Ottavio", "Graziella", "Raffaele"],
    "nl": ["Joost", "Sanne", "Maarten", "Femke", "Ruud", "Marieke", "Sjoerd", "Anouk"],
    "pl": ["Wojciech", "Agnieszka", "Bartłomiej", "Małgorzata", "Zbigniew", "Jadwiga"],
    "nordic": ["Sigrid", "Torbjørn", "Linnea", "Eskil", "Ingvild", "Håkon"],
    "africa": ["Ngozi", "Olumide", "Wanjiku", "Kofi", "Thandeka", "Babajide", "Amara", "Kwabena"],
    "asia": ["Ananya", "Rohan", "Farhan", "Nusrat", "Hiroshi", "Mei", "Jae-won", "Thuy", "Arjun", "Yuki"],
    "arab": ["Yousef", "Layla", "Karim", "Rania", "Tariq", "Samira"],
}
LAST = {
    "en": ["Featherstone", "Abernathy", "Wetherby", "Ramsbottom", "Hargreaves", "Pennington", "Blackwood",
           "Carmichael", "Delaney", "Fairweather", "Gallowglass", "Holloway"],
    "de": ["Baumgartner", "Hofstetter", "Kleinschmidt", "Wendland", "Scharnhorst", "Eichhorn", "Brandauer"],
    "fr": ["Lefebvre", "Marchand", "Delacroix", "Beaumont", "Fontaine", "Carpentier", "Dumoulin"],
    "es": ["Quintero", "Echeverría", "Villalobos", "Castañeda", "Zubizarreta", "Montero"],
    "it": ["Rossetti", "Bianchi", "Lombardi", "Ferrante", "Capuano", "Mancuso"],
    "nl": ["Vermeulen", "Achterberg", "Hoekstra", "Brouwer", "Kuipers", "Veenstra"],
    "pl": ["Kowalczyk", "Zielińska", "Wróblewski", "Szymańska", "Grabowski"],
    "nordic": ["Lindqvist", "Haugland", "Sandberg", "Østergaard", "Bergström"],
    "africa": ["Okafor", "Mwangi", "Adeyemi", "Boateng", "Nkosi", "Oyelaran", "Mensah"],
    "asia": ["Nakamura", "Tanaka", "Chowdhury", "Rahman", "Venkataraman", "Pham", "Takahashi", "Iyengar"],
    "arab": ["Haddad", "Khoury", "Mansour", "Nasser", "Saleh"],
}
PARTICLE_NAMES = [("Lourdes", "de la Cruz"), ("Willem", "van den Broek"), ("Adriana", "dos Santos"),
                  ("Pieter", "de Graaf"), ("Chiara", "della Rovere"), ("Frederik", "von Arnim"),
                  ("Siobhán", "Ní Bhriain"), ("Padraig", "Ó Conaill")]
NON_LATIN = {
    "ru": ("Клиентка", ["Анна Смирнова", "Павел Орлов", "Мария Кузьмина", "Григорий Новиков"],
           "{cue} {name} сообщила новый номер {phone}."),
    "el": ("Η ασθενής", ["Ελένη Παπαδοπούλου", "Δημήτρης Αλεξίου", "Σοφία Καραμανλή"],
           "{cue} {name} άλλαξε τηλέφωνο σε {phone}."),
    "zh": ("患者", ["王芳", "李强", "张伟", "刘静", "陈杰"], "{cue}{name}预约复诊，电话{phone}。"),
}
STREETS_EN = ["Ashdown Road", "Willow Crescent", "Beech Avenue", "Foxglove Close", "Linden Way", "Rosemary Lane",
              "Kingfisher Drive", "Orchard Street", "Hawthorn Gardens"]
CITIES_UK = [("Oxford", "OX"), ("Brighton", "BN"), ("Sheffield", "S"), ("Glasgow", "G"), ("Exeter", "EX"),
             ("Aberdeen", "AB")]
CITIES_US = [("Portland", "OR"), ("Austin", "TX"), ("Columbus", "OH"), ("Boise", "ID"), ("Tampa", "FL"),
             ("Omaha", "NE")]
STREETS_US = ["Magnolia Drive", "Sycamore Court", "Birch Boulevard", "Juniper Street", "Chestnut Avenue"]
STREETS_DE = ["Lindenstraße", "Schillerweg", "Rosengasse", "Am Stadtpark", "Bergstraße", "Eichendorffstraße",
              "Mozartplatz"]
CITIES_DE = [("Köln", "50667"), ("Bremen", "28195"), ("Dresden", "01067"), ("Stuttgart", "70173"),
             ("Mainz", "55116")]
STREETS_FR = ["rue Victor Hugo", "avenue Jean Jaurès", "boulevard Haussmann", "rue de la République",
              "chemin des Vignes"]
CITIES_FR = [("Nantes", "44000"), ("Lille", "59000"), ("Rennes", "35000"), ("Bordeaux", "33000")]
STREETS_ES = ["Calle de Serrano", "Avenida de América", "Paseo de Gracia", "Calle Alcalá"]
CITIES_ES = [("Bilbao", "48001"), ("Zaragoza", "50001"), ("Málaga", "29001"), ("Barcelona", "08007")]
STREETS_IT = ["Via Roma", "Corso Vittorio Emanuele", "Viale dei Mille", "Via Mazzini"]
CITIES_IT = [("Firenze", "50122", "FI"), ("Napoli", "80133", "NA"), ("Genova", "16121", "GE")]
STREETS_NL = ["Prinsengracht", "Dorpsstraat", "Stationsweg", "Lindelaan", "Kerkplein"]
CITIES_NL = ["Haarlem", "Groningen", "Delft", "Nijmegen"]

BRANDS = ["Karl Lagerfeld", "Tom Ford", "Anne Klein", "Kenneth Cole", "Carolina Herrera", "Paul Mitchell",
          "Jack Wolfskin", "Helly Hansen", "Oscar de la Renta"]
EPONYMS = ["Kalman filter", "Fourier transform", "Markov chain", "Bayesian inference", "Turing machine",
           "Hashimoto's thyroiditis", "Parkinson's disease", "Cushing syndrome", "Glass-Steagall Act"]
PLACES = ["Salt Lake City", "Santa Monica", "Victoria Falls", "Mount Pleasant", "St Albans"]
INSTITUTIONS = ["Great Ormond Street", "Massachusetts General", "Guy's Hospital", "Addenbrooke's"]
START_WORDS = ["Faith in the roadmap is low.", "Hope this helps.", "Mark the invoice as paid.",
               "Chase the supplier today.", "Frank feedback is welcome."]
ROLES = ["Head of Underwriting", "Data Protection Officer", "Claims Team", "Accounts Payable"]


class Record:
    def __init__(self, lang="en"):
        self.parts, self.lang, self.negatives = [], lang, []

    def t(self, text):
        self.parts.append((None, text))
        return self

    def s(self, kind, value):
        self.parts.append((kind, value))
        return self

    def neg(self, kind, value, text=True):
        self.negatives.append({"value": value, "kind": kind})
        if text:
            self.parts.append((None, value))
        return self

    def build(self, rid):
        text, spans = "", []
        for kind, value in self.parts:
            if kind:
                spans.append({"start": len(text), "end": len(text) + len(value), "type": kind, "value": value})
            text += value
        for negative in self.negatives:
            assert negative["value"] in text, negative
        return {"id": rid, "lang": self.lang, "text": text, "spans": spans, "negatives": self.negatives}


def digits(r, n):
    return "".join(r.choice(string.digits) for _ in range(n))


def luhn_complete(body):
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return body + str((10 - total % 10) % 10)


def card(r):
    prefix = r.choice(["4", "51", "55", "2221", "34", "37", "6011", "3528", "36"])
    length = 15 if prefix in ("34", "37") else 14 if prefix == "36" else 16
    number = luhn_complete(prefix + digits(r, length - len(prefix) - 1))
    style = r.choice(["plain", "space", "dash"])
    if style == "plain" or length != 16:
        return number
    sep = " " if style == "space" else "-"
    return sep.join(number[i:i + 4] for i in range(0, 16, 4))


def bad_card(r):
    number = card(r).replace(" ", "").replace("-", "")
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def iban(r, country=None):
    country = country or r.choice(["DE", "FR", "ES", "IT", "NL", "GB", "BE", "AT", "IE", "PT"])
    lengths = {"DE": 22, "FR": 27, "ES": 24, "IT": 27, "NL": 18, "GB": 22, "BE": 16, "AT": 20, "IE": 22, "PT": 25}
    bban_len = lengths[country] - 4
    if country in ("NL", "GB", "IE"):
        bban = "".join(r.choice(string.ascii_uppercase) for _ in range(4)) + digits(r, bban_len - 4)
    elif country == "IT":
        bban = r.choice(string.ascii_uppercase) + digits(r, bban_len - 1)
    else:
        bban = digits(r, bban_len)
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    value = country + "%02d" % check + bban
    if r.random() < 0.5:
        value = " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    return value


def ssn(r, dashed=True):
    area = r.choice([n for n in range(1, 900) if n != 666])
    value = "%03d-%02d-%04d" % (area, r.randint(1, 99), r.randint(1, 9999))
    return value if dashed else value.replace("-", "")


def nino(r):
    first = r.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = r.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ"):
        return nino(r)
    value = first + second + digits(r, 6) + r.choice("ABCD")
    return value if r.random() < 0.5 else " ".join([value[:2], value[2:4], value[4:6], value[6:8], value[8]])


def steuer_id(r):
    while True:
        body = str(r.randint(1, 9)) + digits(r, 9)
        product = 10
        for c in body:
            total = (int(c) + product) % 10 or 10
            product = total * 2 % 11
        check = (11 - product) % 10
        value = body + str(check)
        if len(set(body)) < 10:
            return value


def spaced_steuer(value):
    return " ".join([value[:2], value[2:5], value[5:8], value[8:]])


def nir(r):
    body = str(r.choice([1, 2])) + "%02d" % r.randint(40, 99) + "%02d" % r.randint(1, 12) + "%02d" % r.randint(
        1, 95) + digits(r, 6)
    key = 97 - int(body) % 97
    return body + "%02d" % key


def bsn(r):
    while True:
        body = str(r.randint(1, 9)) + digits(r, 7)
        total = sum(int(c) * (9 - i) for i, c in enumerate(body))
        check = total % 11
        if check < 10:
            return body + str(check)


def dni(r):
    number = r.randint(10000000, 99999999)
    return str(number) + "TRWAGMYFPDXBNJZSQVHLCKE"[number % 23]


def nie(r):
    prefix = r.choice("XYZ")
    number = int(str("XYZ".index(prefix)) + digits(r, 7))
    return prefix + ("%07d" % (number % 10000000)) + "TRWAGMYFPDXBNJZSQVHLCKE"[number % 23]


def codice_fiscale(r):
    odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
    letters = string.ascii_uppercase
    body = ("".join(r.choice(letters) for _ in range(6)) + "%02d" % r.randint(40, 99) + r.choice("ABCDEHLMPRST")
            + "%02d" % r.randint(1, 71) + r.choice(letters) + digits(r, 3))
    total = 0
    for i, c in enumerate(body):
        index = int(c) if c.isdigit() else ord(c) - 65
        total += odd[index] if i % 2 == 0 else index
    return body + letters[total % 26]


def pesel(r):
    year, month, day = r.randint(50, 99), r.randint(1, 12), r.randint(1, 28)
    body = "%02d%02d%02d" % (year, month, day) + digits(r, 4)
    weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    return body + str((10 - sum(int(c) * w for c, w in zip(body, weights)) % 10) % 10)


def personnummer(r):
    body = "%02d%02d%02d" % (r.randint(40, 99), r.randint(1, 12), r.randint(1, 28)) + digits(r, 3)
    return luhn_complete(body)


def nhs(r):
    while True:
        body = digits(r, 9)
        check = 11 - sum(int(c) * (10 - i) for i, c in enumerate(body)) % 11
        if check != 10:
            value = body + str(0 if check == 11 else check)
            return r.choice([value, value[:3] + " " + value[3:6] + " " + value[6:]])


def bad_nhs(r):
    value = nhs(r).replace(" ", "")
    return value[:-1] + str((int(value[-1]) + 1) % 10)


def kvnr(r):
    letter = r.choice(string.ascii_uppercase)
    body = digits(r, 8)
    seq = "%02d" % (ord(letter) - 64) + body
    total = 0
    for i, c in enumerate(seq):
        product = int(c) * (1 if i % 2 == 0 else 2)
        total += product // 10 + product % 10
    return letter + body + str(total % 10)


def aba(r):
    while True:
        body = "%02d" % r.choice([1, 2, 5, 9, 11, 21, 26, 31, 61, 67]) + digits(r, 6)
        for check in range(10):
            value = body + str(check)
            if sum(int(c) * w for c, w in zip(value, [3, 7, 1] * 3)) % 10 == 0:
                return value


def phone(r, country):
    if country == "US":
        return r.choice(["(%d) %03d-%04d", "%d-%03d-%04d", "+1 %d %03d %04d"]) % (
            r.randint(201, 989), r.randint(200, 999), r.randint(0, 9999))
    if country == "UK":
        return r.choice(["07%03d %06d", "+44 7%03d %06d"]) % (r.randint(100, 999), r.randint(0, 999999))
    if country == "DE":
        return r.choice(["+49 30 %08d", "0171 %07d", "+49 (0)89 %07d"]) % r.randint(1000000, 9999999)
    if country == "FR":
        return "06 " + " ".join("%02d" % r.randint(10, 99) for _ in range(4))
    if country == "ES":
        return "+34 6%02d %03d %03d" % (r.randint(10, 99), r.randint(100, 999), r.randint(100, 999))
    if country == "IT":
        return "+39 3%02d %07d" % (r.randint(10, 99), r.randint(1000000, 9999999))
    if country == "NL":
        return "06-%08d" % r.randint(10000000, 99999999)
    return "+%d %d %07d" % (r.choice([7, 30, 86]), r.randint(900, 999), r.randint(1000000, 9999999))


def email(r, first, last):
    def ascii(s):
        return "".join(c for c in s.lower() if c in string.ascii_lowercase)
    domain = r.choice(["mailbox.example.com", "corp.example.org", "kanzlei.example.de", "klinik.example.at"])
    return r.choice(["%s.%s@%s", "%s_%s@%s", "%s%s@%s"]) % (ascii(first), ascii(last), domain)


def name(r, group=None):
    group = group or r.choice(list(FIRST))
    return r.choice(FIRST[group]), r.choice(LAST[group])


def dob(r, style):
    y, m, d = r.randint(1935, 2005), r.randint(1, 12), r.randint(1, 28)
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]
    return {"iso": "%d-%02d-%02d" % (y, m, d), "eu": "%02d/%02d/%d" % (d, m, y), "us": "%02d/%02d/%d" % (m, d, y),
            "dot": "%02d.%02d.%d" % (d, m, y), "long": "%s %d, %d" % (months[m - 1], d, y),
            "de_long": "%d. %s %d" % (d, ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                                          "September", "Oktober", "November", "Dezember"][m - 1], y),
            "fr_long": "%d %s %d" % (d, ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                                         "septembre", "octobre", "novembre", "décembre"][m - 1], y)}[style]


def other_date(r):
    return "%d-%02d-%02d" % (r.randint(2023, 2026), r.randint(1, 12), r.randint(1, 28))


def uk_address(r):
    city, area = r.choice(CITIES_UK)
    postcode = "%s%d %d%s" % (area, r.randint(1, 20), r.randint(1, 9), "".join(r.choice("ABDEFGHJLNPQRSTUWXYZ")
                                                                            for _ in range(2)))
    return "%d %s" % (r.randint(2, 240), r.choice(STREETS_EN)), city, postcode


def us_address(r):
    city, state = r.choice(CITIES_US)
    unit = r.choice(["", ", Apt %d%s" % (r.randint(1, 40), r.choice("ABC")), ", Suite %d" % r.randint(100, 900)])
    return "%d %s%s, %s, %s %05d" % (r.randint(100, 9999), r.choice(STREETS_US), unit, city, state,
                                     r.randint(10000, 99999))


def de_address(r):
    city, postcode = r.choice(CITIES_DE)
    return "%s %d%s, %s %s" % (r.choice(STREETS_DE), r.randint(1, 150), r.choice(["", "a", "b"]), postcode, city)


# Templates: each returns a Record. Kinds of text as dev-v2 has them, worded differently.

def t_crm_note(r):
    f, l = name(r, "en")
    street, city, postcode = uk_address(r)
    return (Record().t("CRM note — spoke to ").s("PERSON", f + " " + l).t(" today; she moved to ")
            .s("POSTAL_ADDRESS", "%s, %s %s" % (street, city, postcode)).t(" and wants statements by email to ")
            .s("EMAIL", email(r, f, l)).t(". Flagged for the ").neg("role", r.choice(ROLES)).t("."))


def t_kyc_json(r):
    f, l = name(r)
    record = Record().t('{"kyc": {"holder_name": "').s("PERSON", f + " " + l).t('", "date_of_birth": "')
    record.s("DATE_OF_BIRTH", dob(r, "iso")).t('", "passport_number": "').s("NATIONAL_ID", "%09d" % r.randint(
        10 ** 8, 10 ** 9 - 1)).t('", "mobile": "').s("PHONE", phone(r, "US")).t('"}, "reviewed": "')
    return record.neg("iso_date", other_date(r)).t('", "ruleset": "').neg("version", "v%d.%d.%d" % (
        r.randint(1, 9), r.randint(0, 20), r.randint(0, 99))).t('"}')


def t_caps_letter(r):
    f, l = name(r, "de")
    return (Record("de").t("Betreff: Adressänderung\n\nKUNDE: ").s("PERSON", (f + " " + l).upper())
            .t("\nNeue Anschrift: ").s("POSTAL_ADDRESS", de_address(r)).t("\nGeburtsdatum: ")
            .s("DATE_OF_BIRTH", dob(r, "dot")).t("\nSteuerliche Identifikationsnummer: ")
            .s("NATIONAL_ID", steuer_id(r)).t("\nVorgang: ").neg("case_no", "VG-%d" % r.randint(100000, 999999)))


def t_lowercase_chat(r):
    f, l = name(r, r.choice(["en", "fr", "it"]))
    return (Record().t("support: could you confirm who i'm speaking with?\nuser: yeah this is ")
            .s("PERSON", (f + " " + l).lower()).t(", my number is ").s("PHONE", phone(r, "UK"))
            .t("\nsupport: thanks, ticket ").neg("ticket", "SR-%d" % r.randint(10000, 99999)).t(" updated."))


def t_last_first_csv(r):
    rows = ["account_id,holder,iban,opened"]
    record = Record().t(rows[0] + "\n")
    for _ in range(2):
        f, l = name(r)
        record.neg("account_id", "ACC%d" % r.randint(100000, 999999)).t(",\"").s("PERSON", "%s, %s" % (l, f))
        record.t("\",").s("IBAN", iban(r).replace(" ", "")).t(",").neg("iso_date", other_date(r)).t("\n")
    return record


def t_initials_memo(r):
    f, l = name(r, "en")
    initials = r.choice(["%s. %s." % (f[0], r.choice("ABCDEFGHJKLMNPRSTW")), "%s.%s." % (f[0], r.choice("ABDEHJKLMRS"))])
    return (Record().t("Memo: payment approved by ").s("PERSON", initials + " " + l).t(" for ")
            .neg("amount", "%s %s EUR" % (r.randint(10, 99), "%03d %03d" % (r.randint(0, 999), r.randint(0, 999))))
            .t("; card on file ").s("CREDIT_CARD", card(r)).t(", invalid test card ")
            .neg("bad_luhn_card", bad_card(r)).t("."))


def t_particles(r):
    f, l = r.choice(PARTICLE_NAMES)
    return (Record().t("Please add ").s("PERSON", f + " " + l).t(" as a second signatory; SSN ")
            .s("US_SSN", ssn(r)).t(", address ").s("POSTAL_ADDRESS", us_address(r)).t("."))


def t_fr_form(r):
    f, l = name(r, "fr")
    city, postcode = r.choice(CITIES_FR)
    return (Record("fr").t("Formulaire d'adhésion\nNom : ").s("PERSON", l.upper() + " " + f).t("\nNé le ")
            .s("DATE_OF_BIRTH", dob(r, "fr_long")).t("\nN° de sécurité sociale : ").s("NATIONAL_ID", nir(r))
            .t("\nAdresse : ").s("POSTAL_ADDRESS", "%d, %s, %s %s" % (r.randint(1, 90), r.choice(STREETS_FR),
                                                                      postcode, city))
            .t("\nTéléphone : ").s("PHONE", phone(r, "FR")))


def t_es_chat(r):
    f, l = name(r, "es")
    city, postcode = r.choice(CITIES_ES)
    return (Record("es").t("agente: ¿me indica su DNI?\ncliente: claro, ").s("NATIONAL_ID", dni(r))
            .t("\nagente: ¿y su domicilio?\ncliente: ").s("POSTAL_ADDRESS", "%s, %d, %s %s" % (
                r.choice(STREETS_ES), r.randint(1, 200), postcode, city))
            .t("\nagente: gracias, ").s("PERSON", f + " " + l).t("."))


def t_it_email(r):
    f, l = name(r, "it")
    city, postcode, province = r.choice(CITIES_IT)
    return (Record("it").t("Egregio ").s("PERSON", f + " " + l).t(",\nabbiamo aggiornato il codice fiscale ")
            .s("NATIONAL_ID", codice_fiscale(r)).t(" e l'indirizzo ").s("POSTAL_ADDRESS", "%s %d, %s %s (%s)" % (
                r.choice(STREETS_IT), r.randint(1, 120), postcode, city, province))
            .t(".\nIl bonifico su ").s("IBAN", iban(r, "IT")).t(" partirà il ").neg("date", "%02d/%02d/2025" % (
                r.randint(1, 28), r.randint(1, 12))).t("."))


def t_nl_letter(r):
    f, l = name(r, "nl")
    return (Record("nl").t("Beste ").s("PERSON", f + " " + l).t(",\n\nUw burgerservicenummer ").s("NATIONAL_ID", bsn(r))
            .t(" en uw nieuwe adres ").s("POSTAL_ADDRESS", "%s %d, %04d %s %s" % (
                r.choice(STREETS_NL), r.randint(1, 300), r.randint(1000, 9999),
                "".join(r.choice("ABCDEFGHJKLMNPRSTVWXZ") for _ in range(2)), r.choice(CITIES_NL)))
            .t(" zijn geregistreerd.\n\nMet vriendelijke groet,\nTeam ").neg("role", "Klantcontact"))


def t_pl_se_ids(r):
    f, l = name(r, "pl")
    f2, l2 = name(r, "nordic")
    pn = personnummer(r)
    return (Record().t("ID check: ").s("PERSON", f + " " + l).t(" — PESEL ").s("NATIONAL_ID", pesel(r))
            .t("; ").s("PERSON", f2 + " " + l2).t(" — personnummer ").s("NATIONAL_ID", pn[:6] + "-" + pn[6:])
            .t(". Build ").neg("version", "%d.%d.%d.%d" % (r.randint(1, 9), r.randint(0, 9), r.randint(0, 9),
                                                          r.randint(0, 99))).t(" deployed."))


def t_nino_prose(r):
    f, l = name(r, "en")
    return (Record().t("Pension transfer for ").s("PERSON", f + " " + l).t(" (NI number ").s("NATIONAL_ID", nino(r))
            .t(") is waiting on the ").neg("role", r.choice(ROLES)).t("."))


def t_nhs_note(r):
    f, l = name(r, r.choice(["en", "asia", "africa"]))
    return (Record().t("Referral: ").s("PERSON", f + " " + l).t(", date of birth ").s("DATE_OF_BIRTH", dob(r, "eu"))
            .t(", NHS no. ").s("MEDICAL_RECORD", nhs(r)).t(". History of ").neg("eponym_medical", r.choice(
                [e for e in EPONYMS if "'" in e or "syndrome" in e])).t("."))


def t_mrn_yaml(r):
    f, l = name(r)
    return (Record().t("patient:\n  full_name: ").s("PERSON", f + " " + l).t("\n  mrn: ")
            .s("MEDICAL_RECORD", "MR%d" % r.randint(100000, 9999999)).t("\n  birth_date: ")
            .s("DATE_OF_BIRTH", dob(r, "iso")).t("\n  ward: ").neg("ward", "B%d" % r.randint(1, 9))
            .t("\n  admitted: ").neg("iso_date", other_date(r)))


def t_kvnr_form(r):
    f, l = name(r, "de")
    return (Record("de").t("Versicherte Person: ").s("PERSON", f + " " + l).t("\nKrankenversichertennummer: ")
            .s("MEDICAL_RECORD", kvnr(r)).t("\nTelefon: ").s("PHONE", phone(r, "DE")))


def t_bank_transfer(r):
    f, l = name(r, r.choice(["en", "africa", "asia"]))
    return (Record().t("Wire instructions for ").s("PERSON", f + " " + l).t(": ABA ").neg("routing", aba(r))
            .t(", account number ").s("BANK_ACCOUNT", digits(r, r.randint(8, 12))).t(". Reference ")
            .neg("invoice_no", "INV/%d/%d" % (r.randint(2023, 2026), r.randint(1000, 9999))).t("."))


def t_uk_bank(r):
    f, l = name(r, "en")
    return (Record().t("Refund to ").s("PERSON", l + ", " + f).t(" — sort code/account ")
            .s("BANK_ACCOUNT", "%02d-%02d-%02d %08d" % (r.randint(10, 99), r.randint(10, 99), r.randint(10, 99),
                                                         r.randint(10 ** 7, 10 ** 8 - 1))).t("."))


def t_tool_args(r):
    f, l = name(r)
    inner = {"customer": f + " " + l, "email": email(r, f, l), "card": card(r)}
    text = json.dumps({"name": "charge_card", "arguments": json.dumps(inner, ensure_ascii=False)}, ensure_ascii=False)
    record = Record()
    remaining = text
    for kind, value in (("PERSON", inner["customer"]), ("EMAIL", inner["email"]), ("CREDIT_CARD", inner["card"])):
        at = remaining.index(value)
        record.t(remaining[:at]).s(kind, value)
        remaining = remaining[at + len(value):]
    return record.t(remaining)


def t_env_secrets(r):
    key = "ghp_" + "".join(r.choice(string.ascii_letters + string.digits) for _ in range(36))
    aws = "AKIA" + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    stripe = "sk_live_" + "".join(r.choice(string.ascii_letters + string.digits) for _ in range(24))
    return (Record().t("# .env.production\nGH_TOKEN=").s("SECRET", key).t("\nAWS_KEY_ID=").s("SECRET", aws)
            .t("\nPAYMENTS_SECRET=").s("SECRET", stripe).t("\nLISTEN=").neg("host_port", "localhost:%d" % r.randint(
                1025, 9999)).t("\nRELEASE=").neg("version", "%d.%d.%d" % (r.randint(1, 9), r.randint(0, 30),
                                                                         r.randint(0, 99))))


def t_access_log(r):
    ip = "%d.%d.%d.%d" % (r.randint(11, 223), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
    f, l = name(r, "en")
    return (Record().t("[").neg("timestamp", "2025-%02d-%02dT%02d:%02d:11Z" % (r.randint(1, 12), r.randint(1, 28),
                                                                             r.randint(0, 23), r.randint(0, 59)))
            .t("] login ok user=").s("EMAIL", email(r, f, l)).t(" ip=").s("IP_ADDRESS", ip).t(" agent=")
            .neg("version", "okhttp/%d.%d.%d" % (r.randint(3, 5), r.randint(0, 12), r.randint(0, 9))))


def t_markdown_patients(r):
    record = Record().t("| Name | Date of birth | MRN |\n|---|---|---|\n")
    for _ in range(2):
        f, l = name(r)
        record.t("| ").s("PERSON", f + " " + l).t(" | ").s("DATE_OF_BIRTH", dob(r, "eu")).t(" | ")
        record.s("MEDICAL_RECORD", "%d-%d" % (r.randint(1000, 9999), r.randint(100, 999))).t(" |\n")
    return record.t("\nExported ").neg("iso_date", other_date(r)).t(".")


def t_sql(r):
    f, l = name(r)
    return (Record().t("UPDATE accounts SET owner = '").s("PERSON", f + " " + l).t("', ssn = '")
            .s("US_SSN", ssn(r)).t("' WHERE id = ").neg("row_id", str(r.randint(100000, 999999))).t(";"))


def t_non_latin(r):
    lang = r.choice(list(NON_LATIN))
    cue, names, pattern = NON_LATIN[lang]
    person, number = r.choice(names), phone(r, "intl")
    before, rest = pattern.split("{name}")
    rest_before, rest_after = rest.split("{phone}")
    return (Record(lang).t(before.replace("{cue}", cue)).s("PERSON", person).t(rest_before).s("PHONE", number)
            .t(rest_after))


def t_signature(r):
    f, l = name(r, "en")
    street, city, postcode = uk_address(r)
    return (Record().t("Best wishes,\n").s("PERSON", f + " " + l).t("\n").neg("role", r.choice(ROLES))
            .t("\n").s("POSTAL_ADDRESS", "%s\n%s\n%s" % (street, city, postcode)).t("\nDirect line ")
            .s("PHONE", phone(r, "UK")))


def t_lookalikes_brands(r):
    return (Record().t("Retail update: ").neg("eponym_brand", r.choice(BRANDS)).t(" and ")
            .neg("eponym_brand", r.choice(BRANDS)).t(" reported results; the ")
            .neg("place", r.choice(PLACES)).t(" store reopens. ").neg("start_word", r.choice(START_WORDS)))


def t_lookalikes_science(r):
    return (Record().t("The model combines a ").neg("eponym", r.choice(EPONYMS[:5])).t(" with a ")
            .neg("eponym", r.choice(EPONYMS[:5])).t("; see the ").neg("institution", r.choice(INSTITUTIONS))
            .t(" study and release ").neg("ip_version", "%d.%d.%d.%d" % (r.randint(1, 9), r.randint(0, 9),
                                                                        r.randint(0, 9), r.randint(0, 9)))
            .t(". Budget ").neg("amount", "%d %03d %03d EUR" % (r.randint(1, 99), r.randint(0, 999),
                                                                 r.randint(0, 999))).t("."))


def t_lookalikes_ids(r):
    bad_steuer = steuer_id(r)
    bad_steuer = bad_steuer[:-1] + str((int(bad_steuer[-1]) + 1) % 10)
    bad_iban = iban(r, "DE").replace(" ", "")
    bad_iban = bad_iban[:2] + "%02d" % ((int(bad_iban[2:4]) + 1) % 100) + bad_iban[4:]
    return (Record().t("Validation fixtures (all invalid): tax id ").neg("bad_steuer_id", bad_steuer)
            .t(", NHS ").neg("bad_nhs", bad_nhs(r)).t(", IBAN ").neg("bad_iban", bad_iban).t(", order ")
            .neg("order_id", "SO-%d" % r.randint(10 ** 7, 10 ** 8)).t(", quantity ")
            .neg("quantity", "%d %03d units" % (r.randint(1, 99), r.randint(0, 999))).t("."))


def t_sentence_names(r):
    f, l = name(r, r.choice(["africa", "asia", "arab", "nordic"]))
    return (Record().t("Yesterday ").s("PERSON", f + " " + l).t(" emailed ").s("EMAIL", email(r, f, l))
            .t(" about the ").neg("brand", r.choice(["Jira Service Management", "Google Workspace",
                                                     "Zoom Phone"])).t(" licence."))


def t_dob_prose(r):
    f, l = name(r, "en")
    return (Record().t("Applicant ").s("PERSON", f + " " + l).t(" was born on ").s("DATE_OF_BIRTH", dob(r, "long"))
            .t(" and applied on ").neg("date", "%s %d, 2025" % (r.choice(["March", "June", "October"]),
                                                                r.randint(1, 28))).t("."))


def t_de_prose_dob(r):
    f, l = name(r, "de")
    return (Record("de").t("Frau ").s("PERSON", f + " " + l).t(", geboren am ").s("DATE_OF_BIRTH", dob(r, "de_long"))
            .t(", wohnt in der ").s("POSTAL_ADDRESS", de_address(r)).t(". Termin am ").neg("date", "%02d.%02d.2025" % (
                r.randint(1, 28), r.randint(1, 12))).t("."))


TEMPLATES = [t_crm_note, t_kyc_json, t_caps_letter, t_lowercase_chat, t_last_first_csv, t_initials_memo,
             t_particles, t_fr_form, t_es_chat, t_it_email, t_nl_letter, t_pl_se_ids, t_nino_prose, t_nhs_note,
             t_mrn_yaml, t_kvnr_form, t_bank_transfer, t_uk_bank, t_tool_args, t_env_secrets, t_access_log,
             t_markdown_patients, t_sql, t_non_latin, t_signature, t_lookalikes_brands, t_lookalikes_science,
             t_lookalikes_ids, t_sentence_names, t_dob_prose, t_de_prose_dob]


def write_corpus(file_name, templates, default_seed, default_per_template, check=lambda record: None):
    """Builds per-template records from each template in turn, seeded, and writes them as JSON lines beside the
    other corpora; the generators of the held-out, blind and judge corpora share it."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=default_seed)
    parser.add_argument("--per-template", type=int, default=default_per_template)
    args = parser.parse_args()
    r = random.Random(args.seed)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "pii",
                       file_name)
    records = []
    for _ in range(args.per_template):
        for template in templates:
            record = template(r).build(len(records))
            check(record)
            records.append(record)
    with open(out, "w", encoding="utf-8") as stream:
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    print("wrote %d records to %s" % (len(records), os.path.normpath(out)))
    return records


def main():
    write_corpus("heldout.jsonl", TEMPLATES, 21, 10)


if __name__ == "__main__":
    main()
