#!/usr/bin/env python3
"""Writes src/test/resources/pii/blind.jsonl: a second held-out corpus, written after the detectors were tuned.

heldout.jsonl (generate_heldout_corpus.py) was used to find kinds of misses, so it no longer judges the detectors
blind. This corpus was written afterwards and never tuned on: other names (none in dev-v2 or heldout), other streets
and cities, and other templates (insurance claims, HR onboarding, discharge letters, chat exports, quoted email
threads, XML, log lines, test fixtures, nested tool arguments), labelled the way dev-v2 is (a title or cue is no
part of a name; an address runs from the street to the city). Identifiers reuse the check-digit generators of
generate_heldout_corpus.py. Deterministic: the same seed writes the same file.

Usage: python3 generate_blind_corpus.py [--seed 2107] [--per-template 8]
"""
import json
import string
import unicodedata

from generate_heldout_corpus import (Record, aba, bad_card, bad_nhs, bsn, card, codice_fiscale, digits, iban, kvnr,
                                     nhs, nie, nino, pesel, personnummer, ssn, steuer_id, write_corpus)

FIRST = {
    "en": ["Percival", "Winifred", "Ambrose", "Cordelia", "Lysander", "Ottilie", "Crispin", "Henrietta", "Jasper",
           "Marigold", "Leopold", "Clementine", "Thaddeus", "Georgiana"],
    "us": ["Dakota", "Brantley", "Kinsley", "Cash", "Oaklynn", "Ryker", "Everleigh", "Colter", "Paisley", "Jaxon"],
    "de": ["Hannelore", "Eckhard", "Wilhelmine", "Reinhold", "Ortrud", "Gottfried", "Irmgard", "Burkhard"],
    "fr": ["Anatole", "Gwenaëlle", "Lucien", "Maëlys", "Théophile", "Apolline", "Evariste", "Bérénice"],
    "es": ["Anselmo", "Remedios", "Eusebio", "Inmaculada", "Baltasar", "Milagros", "Leocadio"],
    "it": ["Gualtiero", "Annunziata", "Ermenegildo", "Loredana", "Pasquale", "Teodolinda"],
    "nl": ["Gerrit", "Hendrikje", "Cornelis", "Geertruida", "Jorrit", "Liesbeth"],
    "pl": ["Wiesław", "Bożena", "Radosław", "Jolanta", "Mieczysław"],
    "nordic": ["Tordis", "Sölve", "Gunvor", "Torvald", "Åsa"],
    "africa": ["Chidinma", "Oluwaseun", "Nomvula", "Kwame", "Zainab", "Tendai"],
    "asia": ["Kaveri", "Siddharth", "Kenta", "Minh", "Ji-hoon", "Aarav", "Ritsuko"],
}
LAST = {
    "en": ["Throckmorton", "Aldridge", "Fothergill", "Whitlock", "Ashcombe", "Loxley", "Marchbanks", "Standish",
           "Trevelyan", "Bramwell"],
    "us": ["Kowalski", "Delgado", "Whitaker", "Hollister", "McAllister", "Vandermeer", "Castellano"],
    "de": ["Oberländer", "Wiesenthal", "Rückert", "Steinbrecher", "Pfeiffer", "Hollmann"],
    "fr": ["Chevalier", "Lemaire", "Vasseur", "Duplessis", "Gaillard", "Thibodeaux"],
    "es": ["Arrizabalaga", "Benítez", "Cifuentes", "Olabarrieta", "Sepúlveda"],
    "it": ["Quattrocchi", "Santangelo", "Bevilacqua", "Pellegrino", "Malatesta"],
    "nl": ["Schoonhoven", "Dijkstra", "Hoogendoorn", "Wijnands", "Overbeek"],
    "pl": ["Wiśniewska", "Przybylska", "Jabłoński", "Kaczmarek"],
    "nordic": ["Fjeldstad", "Rasmussen", "Holmgren", "Ekström"],
    "africa": ["Eze", "Nwachukwu", "Dlamini", "Asante", "Olatunji", "Moyo"],
    "asia": ["Raghunathan", "Watanabe", "Nguyen", "Kobayashi", "Bhattacharya", "Yoon"],
}
PARTICLE_NAMES = [("Marisol", "de las Heras"), ("Jeroen", "van der Sloot"), ("Caterina", "da Ponte"),
                  ("Ahmad", "bin Hassan"), ("Leila", "al-Amin"), ("Leopoldine", "von Hohenau"),
                  ("Gráinne", "Mac Giolla"), ("Tristan", "du Plessis")]
NON_LATIN = {
    "ru": ("Заявитель", ["Ольга Лебедева", "Сергей Воронцов", "Татьяна Белова"], "{cue}: {name}, тел. {phone}"),
    "uk": ("Пацієнт", ["Тарас Мельник", "Оксана Бондаренко"], "{cue} {name} просить передзвонити на {phone}."),
    "el": ("Πελάτης", ["Νικόλαος Βασιλείου", "Κατερίνα Μιχαηλίδου"], "{cue}: {name}, κινητό {phone}."),
    "ar": ("العميل", ["محمد العتيبي", "فاطمة الزهراني"], "{cue} {name} رقم الهاتف {phone}"),
    "zh": ("联系人", ["赵敏", "孙立", "周婷"], "{cue}：{name}，手机{phone}"),
}
STREETS_UK = ["Quarry Lane", "Millbrook Road", "Tannery Row", "Cobden Street", "Primrose Hill Road",
              "Larkspur Close", "Abbey Mews"]
CITIES_UK = [("Norwich", "NR"), ("Leicester", "LE"), ("Cardiff", "CF"), ("York", "YO"), ("Bath", "BA")]
STREETS_US = ["Cottonwood Lane", "Pinecrest Road", "Riverbend Drive", "Hickory Hollow", "Sagebrush Trail"]
CITIES_US = [("Spokane", "WA"), ("Tulsa", "OK"), ("Savannah", "GA"), ("Madison", "WI"), ("Reno", "NV")]
STREETS_DE = ["Kastanienallee", "Hauptstraße", "Goethestraße", "Im Wiesengrund", "Uhlandstraße", "Marktplatz"]
CITIES_DE = [("Leipzig", "04109"), ("Münster", "48143"), ("Freiburg im Breisgau", "79098"), ("Kiel", "24103")]
STREETS_FR = ["rue des Tilleuls", "allée des Acacias", "place du Marché", "rue Pasteur", "quai de la Loire"]
CITIES_FR = [("Toulouse", "31000"), ("Grenoble", "38000"), ("Dijon", "21000"), ("Angers", "49100")]
STREETS_ES = ["Calle Mayor", "Avenida de la Constitución", "Calle del Carmen", "Ronda de Atocha"]
CITIES_ES = [("Sevilla", "41001"), ("Valladolid", "47001"), ("Granada", "18001"), ("Madrid", "28012")]
STREETS_IT = ["Via Garibaldi", "Piazza Cavour", "Via dei Serragli", "Corso Buenos Aires"]
CITIES_IT = [("Bologna", "40121", "BO"), ("Torino", "10121", "TO"), ("Milano", "20124", "MI")]
STREETS_NL = ["Herengracht", "Molenweg", "Julianastraat", "Beukenlaan"]
CITIES_NL = ["Utrecht", "Zwolle", "Eindhoven", "Leeuwarden"]

BRANDS = ["Calvin Klein", "Ralph Lauren", "Ted Baker", "Hugo Boss", "Dolce & Gabbana", "Ben & Jerry's",
          "Johnson & Johnson", "Charles Schwab", "Wells Fargo", "Marks & Spencer"]
EPONYMS = ["Gaussian process", "Newton's method", "Dijkstra's algorithm", "Alzheimer's disease",
           "Crohn's disease", "Bloom filter", "Nash equilibrium", "Pareto front"]
PLACES = ["Fort Lauderdale", "Palm Springs", "Newcastle upon Tyne", "Bad Homburg", "San Sebastián", "Den Haag"]
ROLES = ["Fraud Operations", "Customer Due Diligence", "Patient Services", "Payroll Team", "Legal Counsel"]
SENTENCE_STARTS = ["Will do.", "Grant access once approved.", "Rose by 3% last quarter.", "Bill the client monthly.",
                   "June figures attached."]


def name(r, group=None):
    group = group or r.choice(list(FIRST))
    return r.choice(FIRST[group]), r.choice(LAST[group])


def email(r, first, last):
    def ascii(s):
        plain = unicodedata.normalize("NFKD", s.lower()).replace("ł", "l").replace("ø", "o").replace("ß", "ss")
        return "".join(c for c in plain if c in string.ascii_lowercase)
    domain = r.choice(["post.example.net", "insure.example.co.uk", "praxis.example.de", "hr.example.com"])
    return r.choice(["%s.%s@%s", "%s%s@%s", "%s-%s@%s"]) % (ascii(first)[:1] if r.random() < 0.3 else ascii(first),
                                                           ascii(last), domain)


def phone(r, country):
    if country == "US":
        return r.choice(["%d.%03d.%04d", "(%d) %03d %04d", "+1-%d-%03d-%04d"]) % (
            r.randint(201, 989), r.randint(200, 999), r.randint(0, 9999))
    if country == "UK":
        return r.choice(["+44 (0)7%03d %03d %03d", "07%03d-%03d-%03d"]) % (
            r.randint(100, 999), r.randint(100, 999), r.randint(100, 999))
    if country == "DE":
        return r.choice(["0151 %d %04d" % (r.randint(100, 999), r.randint(1000, 9999)),
                         "+49 221 %07d" % r.randint(10 ** 6, 10 ** 7 - 1), "(0341) %06d" % r.randint(10 ** 5, 10 ** 6 - 1)])
    if country == "FR":
        return r.choice(["+33 6 %02d %02d %02d %02d", "07.%02d.%02d.%02d.%02d"]) % tuple(
            r.randint(10, 99) for _ in range(4))
    if country == "ES":
        return "6%02d %02d %02d %02d" % tuple(r.randint(10, 99) for _ in range(4))
    if country == "IT":
        return "+39 0%d %07d" % (r.randint(2, 99), r.randint(10 ** 6, 10 ** 7 - 1))
    if country == "NL":
        return "+31 6 %04d %04d" % (r.randint(1000, 9999), r.randint(1000, 9999))
    return r.choice(["+7 9%02d %03d-%02d-%02d" % (r.randint(0, 99), r.randint(0, 999), r.randint(0, 99),
                                                  r.randint(0, 99)),
                     "+30 69%d %03d %04d" % (r.randint(0, 9), r.randint(0, 999), r.randint(0, 9999)),
                     "+966 5%d %03d %04d" % (r.randint(0, 9), r.randint(0, 999), r.randint(0, 9999)),
                     "+86 13%d %04d %04d" % (r.randint(0, 9), r.randint(0, 9999), r.randint(0, 9999)),
                     "+380 6%d %03d %02d %02d" % (r.randint(0, 9), r.randint(0, 999), r.randint(0, 99),
                                                  r.randint(0, 99))])


def dob(r, style):
    y, m, d = r.randint(1930, 2006), r.randint(1, 12), r.randint(1, 28)
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]
    return {"iso": "%d-%02d-%02d" % (y, m, d), "eu": "%02d/%02d/%d" % (d, m, y), "us": "%d/%d/%d" % (m, d, y),
            "dot": "%02d.%02d.%d" % (d, m, y), "long_uk": "%d %s %d" % (d, months[m - 1], y),
            "short": "%d %s %d" % (d, months[m - 1][:3], y), "long_us": "%s %d, %d" % (months[m - 1], d, y),
            "es": "%d de %s de %d" % (d, ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                                          "septiembre", "octubre", "noviembre", "diciembre"][m - 1], y),
            "it": "%d %s %d" % (d, ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
                                    "settembre", "ottobre", "novembre", "dicembre"][m - 1], y)}[style]


def other_date(r):
    return "%d-%02d-%02d" % (r.randint(2024, 2026), r.randint(1, 12), r.randint(1, 28))


def uk_address(r):
    city, area = r.choice(CITIES_UK)
    postcode = "%s%d %d%s" % (area, r.randint(1, 30), r.randint(1, 9), "".join(r.choice("ABDEFGHJLNPQRSTUWXYZ")
                                                                            for _ in range(2)))
    flat = r.choice(["", "Flat %d, " % r.randint(1, 30)])
    return "%s%d %s, %s %s" % (flat, r.randint(1, 180), r.choice(STREETS_UK), city, postcode)


def us_address(r):
    city, state = r.choice(CITIES_US)
    return "%d %s, %s, %s %05d" % (r.randint(10, 9999), r.choice(STREETS_US), city, state, r.randint(10000, 99999))


def de_address(r):
    city, postcode = r.choice(CITIES_DE)
    return "%s %d, %s %s" % (r.choice(STREETS_DE), r.randint(1, 99), postcode, city)


def secret(r, kind):
    alnum = string.ascii_letters + string.digits
    if kind == "slack":
        return "xoxb-%d-%d-%s" % (r.randint(10 ** 10, 10 ** 11), r.randint(10 ** 10, 10 ** 11),
                                  "".join(r.choice(alnum) for _ in range(24)))
    if kind == "openai":
        return "sk-proj-" + "".join(r.choice(alnum + "_-") for _ in range(48))
    if kind == "google":
        return "AIza" + "".join(r.choice(alnum + "_-") for _ in range(35))
    return "glpat-" + "".join(r.choice(alnum + "_-") for _ in range(20))


# Templates: each returns a Record. Kinds of text the other corpora have, worded as they do not.

def t_insurance_claim(r):
    f, l = name(r, "en")
    return (Record().t("Claim intake\nPolicyholder: ").s("PERSON", f + " " + l).t("\nDOB: ")
            .s("DATE_OF_BIRTH", dob(r, "short")).t("\nRisk address: ").s("POSTAL_ADDRESS", uk_address(r))
            .t("\nContact: ").s("PHONE", phone(r, "UK")).t("\nLoss: water damage, estimate ")
            .neg("amount", "£%d,%03d.00" % (r.randint(1, 40), r.randint(0, 999))).t("\nClaim ref ")
            .neg("claim", "CL/%d/%05d" % (r.randint(2024, 2026), r.randint(0, 99999))))


def t_hr_onboarding_json(r):
    f, l = name(r, "us")
    return (Record().t('{"employee": {"legalName": "').s("PERSON", f + " " + l).t('", "ssn": "')
            .s("US_SSN", ssn(r)).t('", "birthDate": "').s("DATE_OF_BIRTH", dob(r, "iso")).t('", "homeAddress": "')
            .s("POSTAL_ADDRESS", us_address(r)).t('", "payroll": {"routing": "').neg("routing", aba(r))
            .t('", "account": "').s("BANK_ACCOUNT", digits(r, r.randint(9, 12))).t('"}}, "startDate": "')
            .neg("iso_date", other_date(r)).t('", "grade": "').neg("grade", "L%d" % r.randint(1, 9)).t('"}'))


def t_discharge_letter(r):
    f, l = name(r, r.choice(["en", "africa", "asia"]))
    doctor_f, doctor_l = name(r, "en")
    return (Record().t("Dear Dr ").s("PERSON", doctor_l).t(",\n\nRe: ").s("PERSON", f + " " + l).t(", born ")
            .s("DATE_OF_BIRTH", dob(r, "long_uk")).t(", NHS ").s("MEDICAL_RECORD", nhs(r))
            .t("\n\nDischarged after treatment for ").neg("eponym", r.choice(EPONYMS[3:5]))
            .t(". Please review in 6 weeks.\n\nYours sincerely,\n").s("PERSON", doctor_f + " " + doctor_l))


def t_chat_export(r):
    f, l = name(r, r.choice(["en", "us", "nl"]))
    minute = r.randint(0, 50)
    return (Record().t("[09:%02d] agent_7: how can I help?\n[09:%02d] guest: hi its " % (minute, minute + 1))
            .s("PERSON", (f + " " + l).lower()).t(" here, i cant log in\n[09:%02d] agent_7: can you confirm your "
                                                   "email?\n[09:%02d] guest: " % (minute + 2, minute + 3))
            .s("EMAIL", email(r, f, l)).t("\n[09:%02d] agent_7: reset link sent, case " % (minute + 4))
            .neg("case", "#%d" % r.randint(100000, 999999)))


def t_quoted_thread(r):
    f, l = name(r, "en")
    f2, l2 = name(r, "en")
    return (Record().t("On Tue, ").s("PERSON", f + " " + l).t(" <").s("EMAIL", email(r, f, l))
            .t("> wrote:\n> Can you update my bank details? New IBAN ").s("IBAN", iban(r, "GB"))
            .t("\n> Thanks\n\nHi ").s("PERSON", f).t(", done. Regards, ").s("PERSON", f2 + " " + l2)
            .t(" (").neg("role", r.choice(ROLES)).t(")"))


def t_xml_record(r):
    f, l = name(r, r.choice(["de", "fr", "it"]))
    return (Record().t("<customer id=\"").neg("cust_id", "C%07d" % r.randint(0, 10 ** 7 - 1)).t("\">\n  <name>")
            .s("PERSON", f + " " + l).t("</name>\n  <email>").s("EMAIL", email(r, f, l)).t("</email>\n  <iban>")
            .s("IBAN", iban(r).replace(" ", "")).t("</iban>\n  <created>").neg("iso_date", other_date(r))
            .t("</created>\n</customer>"))


def t_log_lines(r):
    ip = "%d.%d.%d.%d" % (r.randint(11, 223), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
    f, l = name(r)
    return (Record().t("WARN  auth.SessionFilter - failed login for ").s("EMAIL", email(r, f, l)).t(" from ")
            .s("IP_ADDRESS", ip).t(" (attempt 3)\nINFO  app.Version - running ").neg("version", "%d.%d.%d.%d" % (
                r.randint(1, 9), r.randint(0, 9), r.randint(0, 20), r.randint(0, 999))).t(" on port ")
            .neg("port", str(r.randint(1025, 65000))))


def t_test_fixture(r):
    f, l = name(r, "us")
    return (Record().t("def test_checkout():\n    customer = Customer(name=\"").s("PERSON", f + " " + l)
            .t("\", card=\"").s("CREDIT_CARD", card(r)).t("\", phone=\"").s("PHONE", phone(r, "US"))
            .t("\")\n    assert checkout(customer, amount=").neg("amount", "%d.%02d" % (r.randint(1, 999),
                                                                                    r.randint(0, 99)))
            .t(").ok\n    # invalid card: ").neg("bad_card", bad_card(r)))


def t_nested_tool_args(r):
    f, l = name(r)
    inner = {"ticket": {"requester": {"display_name": f + " " + l, "contact": {"mobile": phone(r, "intl")}},
                        "note": "lives at " + uk_address(r)}}
    text = json.dumps(inner, ensure_ascii=False)
    record = Record()
    remaining = text
    for kind, value in (("PERSON", f + " " + l), ("PHONE", inner["ticket"]["requester"]["contact"]["mobile"]),
                        ("POSTAL_ADDRESS", inner["ticket"]["note"][len("lives at "):])):
        at = remaining.index(value)
        record.t(remaining[:at]).s(kind, value)
        remaining = remaining[at + len(value):]
    return record.t(remaining)


def t_caps_en(r):
    f, l = name(r, "en")
    return (Record().t("FINAL NOTICE\nACCOUNT HOLDER: ").s("PERSON", (f + " " + l).upper()).t("\nNATIONAL INSURANCE NO: ")
            .s("NATIONAL_ID", nino(r)).t("\nBALANCE DUE: ").neg("amount", "GBP %d,%03d.%02d" % (
                r.randint(1, 99), r.randint(0, 999), r.randint(0, 99))).t("\nPAY BY ").neg("date", "%02d/%02d/2026" % (
                    r.randint(1, 28), r.randint(1, 12))))


def t_last_first_prose(r):
    f, l = name(r, r.choice(["en", "us", "de"]))
    return (Record().t("Approvals pending: ").s("PERSON", "%s, %s" % (l.upper(), f)).t(" (card ending ")
            .neg("last4", "%04d" % r.randint(0, 9999)).t(") and the ").neg("place", r.choice(PLACES))
            .t(" branch refit."))


def t_initials_list(r):
    f, l = name(r, r.choice(["nl", "de", "en"]))
    f2, l2 = name(r, r.choice(["nl", "en"]))
    i1 = "%s.%s." % (f[0], r.choice("ABCDEFGHJKLMNPRSTW"))
    return (Record().t("Attendees: ").s("PERSON", i1 + " " + l).t(", ").s("PERSON", f2[0] + ". " + l2)
            .t(", and the ").neg("role", r.choice(ROLES)).t(" lead. ").neg("start", r.choice(SENTENCE_STARTS)))


def t_particles_form(r):
    f, l = r.choice(PARTICLE_NAMES)
    return (Record().t("Beneficiary: ").s("PERSON", f + " " + l).t("\nPassport number: ")
            .s("NATIONAL_ID", "%09d" % r.randint(10 ** 8, 10 ** 9 - 1)).t("\nDate of birth: ")
            .s("DATE_OF_BIRTH", dob(r, "eu")).t("\nRelationship: spouse"))


def t_de_kyc_prose(r):
    f, l = name(r, "de")
    return (Record("de").t("Die Kundin ").s("PERSON", f + " " + l).t(" (geb. ").s("DATE_OF_BIRTH", dob(r, "dot"))
            .t(") hat ihre Steuer-ID ").s("NATIONAL_ID", steuer_id(r)).t(" nachgereicht; Anschrift ")
            .s("POSTAL_ADDRESS", de_address(r)).t(", Mobil ").s("PHONE", phone(r, "DE")).t(". Vorgang ")
            .neg("case", "KY-%d" % r.randint(10000, 99999)).t("."))


def t_fr_email(r):
    f, l = name(r, "fr")
    city, postcode = r.choice(CITIES_FR)
    return (Record("fr").t("Bonjour,\n\nJe soussigné ").s("PERSON", f + " " + l).t(", né le ")
            .s("DATE_OF_BIRTH", dob(r, "eu")).t(", demeurant ").s("POSTAL_ADDRESS", "%d %s, %s %s" % (
                r.randint(1, 120), r.choice(STREETS_FR), postcode, city)).t(", demande la clôture du compte ")
            .s("IBAN", iban(r, "FR")).t(".\n\nCordialement"))


def t_es_form(r):
    f, l = name(r, "es")
    city, postcode = r.choice(CITIES_ES)
    return (Record("es").t("Titular: ").s("PERSON", "%s %s" % (f, l)).t("\nNIE: ").s("NATIONAL_ID", nie(r))
            .t("\nFecha de nacimiento: ").s("DATE_OF_BIRTH", dob(r, "es")).t("\nDirección: ")
            .s("POSTAL_ADDRESS", "%s %d, %s %s" % (r.choice(STREETS_ES), r.randint(1, 200), postcode, city))
            .t("\nMóvil: ").s("PHONE", phone(r, "ES")))


def t_it_chat(r):
    f, l = name(r, "it")
    return (Record("it").t("operatore: mi detta il codice fiscale?\ncliente: ").s("NATIONAL_ID", codice_fiscale(r))
            .t("\noperatore: e il suo nome?\ncliente: ").s("PERSON", (f + " " + l).lower())
            .t("\noperatore: grazie, pratica ").neg("case", "PR-%d" % r.randint(1000, 9999)).t(" aperta."))


def t_nl_csv(r):
    record = Record("nl").t("naam;bsn;woonplaats\n")
    for _ in range(2):
        f, l = name(r, "nl")
        record.s("PERSON", f + " " + l).t(";").s("NATIONAL_ID", bsn(r)).t(";").t(r.choice(CITIES_NL)).t("\n")
    return record


def t_pl_email(r):
    f, l = name(r, "pl")
    return (Record("pl").t("Szanowna Pani ").s("PERSON", f + " " + l).t(",\nPESEL ").s("NATIONAL_ID", pesel(r))
            .t(" został zweryfikowany. Numer telefonu: ").s("PHONE", "+48 %03d %03d %03d" % (
                r.randint(500, 899), r.randint(0, 999), r.randint(0, 999))).t("."))


def t_se_note(r):
    f, l = name(r, "nordic")
    pn = personnummer(r)
    return (Record("sv").t("Kund: ").s("PERSON", f + " " + l).t(", personnummer ").s("NATIONAL_ID", "19" + pn[:6] + "-"
                                                                                     + pn[6:])
            .t(". Ärende ").neg("case", "ÄR-%d" % r.randint(1000, 9999)).t("."))


def t_us_intake(r):
    f, l = name(r, "us")
    return (Record().t("Patient intake — ").s("PERSON", f + " " + l).t(", DOB ").s("DATE_OF_BIRTH", dob(r, "us"))
            .t(", MRN ").s("MEDICAL_RECORD", "%08d" % r.randint(10 ** 6, 10 ** 8 - 1)).t(", lives at ")
            .s("POSTAL_ADDRESS", us_address(r)).t(". Copay ").neg("amount", "$%d.00" % r.randint(10, 90))
            .t(", visit on ").neg("date", "%d/%d/2026" % (r.randint(1, 12), r.randint(1, 28))).t("."))


def t_kvnr_letter(r):
    f, l = name(r, "de")
    return (Record("de").t("Sehr geehrte Frau ").s("PERSON", l).t(",\nIhre Versichertennummer ")
            .s("MEDICAL_RECORD", kvnr(r)).t(" wurde übertragen.\nMit freundlichen Grüßen\n").neg("role", "Ihre AOK"))


def t_ach_prose(r):
    f, l = name(r, "us")
    return (Record().t("Set up direct deposit for ").s("PERSON", f + " " + l).t(" — routing number ")
            .neg("routing", aba(r)).t(", checking account ").s("BANK_ACCOUNT", digits(r, r.randint(8, 12)))
            .t(". Effective ").neg("date", "%s 1, 2026" % r.choice(["March", "July", "October"])).t("."))


def t_uk_sort_code(r):
    f, l = name(r, "en")
    return (Record().t("Standing order: pay ").s("PERSON", f + " " + l).t(", sort code ")
            .neg("sort_code", "%02d%02d%02d" % (r.randint(10, 99), r.randint(10, 99), r.randint(10, 99)))
            .t(", account ").s("BANK_ACCOUNT", "%08d" % r.randint(10 ** 7, 10 ** 8 - 1))
            .t(", monthly ").neg("amount", "£%d" % r.randint(50, 900)).t("."))


def t_secrets_yaml(r):
    return (Record().t("integrations:\n  slack:\n    bot_token: ").s("SECRET", secret(r, "slack"))
            .t("\n  openai:\n    api_key: ").s("SECRET", secret(r, "openai")).t("\n  maps:\n    key: ")
            .s("SECRET", secret(r, "google")).t("\n  gitlab_ci: ").s("SECRET", secret(r, "gitlab"))
            .t("\n  timeout: ").neg("timeout", "%ds" % r.randint(5, 120)).t("\n  image: ")
            .neg("version", "registry.local/app:%d.%d.%d" % (r.randint(1, 9), r.randint(0, 30), r.randint(0, 99))))


def t_non_latin(r):
    lang = r.choice(list(NON_LATIN))
    cue, names, pattern = NON_LATIN[lang]
    person, number = r.choice(names), phone(r, "intl")
    before, rest = pattern.split("{name}")
    rest_before, rest_after = rest.split("{phone}")
    return (Record(lang).t(before.replace("{cue}", cue)).s("PERSON", person).t(rest_before).s("PHONE", number)
            .t(rest_after))


def t_lookalikes_finance(r):
    return (Record().t("Market wrap: ").neg("brand", r.choice(BRANDS)).t(" and ").neg("brand", r.choice(BRANDS))
            .t(" closed higher; volume ").neg("volume", "%d %03d %03d shares" % (r.randint(1, 99), r.randint(0, 999),
                                                                               r.randint(0, 999)))
            .t(", index at ").neg("index", "%d,%03d.%02d" % (r.randint(1, 40), r.randint(0, 999), r.randint(0, 99)))
            .t(". ").neg("start", r.choice(SENTENCE_STARTS)))


def t_lookalikes_research(r):
    return (Record().t("We replaced the ").neg("eponym", r.choice(EPONYMS)).t(" with a ")
            .neg("eponym", r.choice(EPONYMS)).t(" in build ").neg("version", "%d.%d.%d.%d" % (
                r.randint(1, 9), r.randint(0, 9), r.randint(0, 9), r.randint(0, 99))).t(" (commit ")
            .neg("sha", "".join(r.choice("0123456789abcdef") for _ in range(12))).t("), tested in ")
            .neg("place", r.choice(PLACES)).t("."))


def t_lookalikes_invalid(r):
    bad_iban = iban(r, "NL").replace(" ", "")
    bad_iban = bad_iban[:2] + "%02d" % ((int(bad_iban[2:4]) + 3) % 100) + bad_iban[4:]
    return (Record().t("Rejected by validation: NHS ").neg("bad_nhs", bad_nhs(r)).t(", IBAN ")
            .neg("bad_iban", bad_iban).t(", card ").neg("bad_card", bad_card(r)).t("; tracking number ")
            .neg("tracking", "1Z%s" % "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(16)))
            .t(", SKU ").neg("sku", "%d-%04d-%02d" % (r.randint(100, 999), r.randint(0, 9999), r.randint(0, 99)))
            .t("."))


def t_meeting_prose(r):
    f, l = name(r, r.choice(["africa", "asia"]))
    f2, l2 = name(r, r.choice(["en", "us"]))
    return (Record().t("Notes: ").s("PERSON", f + " " + l).t(" will present the ").neg("eponym", r.choice(EPONYMS))
            .t(" results; ").s("PERSON", f2).t(" owns follow-ups and can be reached at ").s("EMAIL", email(r, f2, l2))
            .t(". ").neg("start", r.choice(SENTENCE_STARTS)))


def t_dob_chat(r):
    f, l = name(r, "en")
    return (Record().t("bot: please confirm your date of birth\nuser: ").s("DATE_OF_BIRTH", dob(r, "long_us"))
            .t("\nbot: and the name on the account?\nuser: ").s("PERSON", f + " " + l)
            .t("\nbot: thanks, your next payment is due ").neg("date", "%s %d" % (r.choice(["May", "August"]),
                                                                                 r.randint(1, 28))).t("."))


TEMPLATES = [t_insurance_claim, t_hr_onboarding_json, t_discharge_letter, t_chat_export, t_quoted_thread,
             t_xml_record, t_log_lines, t_test_fixture, t_nested_tool_args, t_caps_en, t_last_first_prose,
             t_initials_list, t_particles_form, t_de_kyc_prose, t_fr_email, t_es_form, t_it_chat, t_nl_csv,
             t_pl_email, t_se_note, t_us_intake, t_kvnr_letter, t_ach_prose, t_uk_sort_code, t_secrets_yaml,
             t_non_latin, t_lookalikes_finance, t_lookalikes_research, t_lookalikes_invalid, t_meeting_prose,
             t_dob_chat]


def main():
    write_corpus("blind.jsonl", TEMPLATES, 2107, 8)


if __name__ == "__main__":
    main()
