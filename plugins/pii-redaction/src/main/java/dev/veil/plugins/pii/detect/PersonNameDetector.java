package dev.veil.plugins.pii.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds people's names ({@link PiiTypes#PERSON}) in English, German and French text without a statistical model:
 * no English person-name model is served by a registry this project can use, and a list of names alone cannot tell
 * "Maria Brown" from "Customer Service". So a run of capitalised words is scored on three kinds of evidence: whether
 * its words are known first names or surnames (gazetteers of many cultures), whether they are ordinary words or
 * places (a capitalised common word is a sentence start or a title, not a name), and the words around it ("Dear",
 * "my name is", "Herr", a JSON key {@code "name"}, "(" after it). Only runs with enough evidence are reported, so that
 * answers stay readable: a missed single first name costs less than every "Please" and "New York" redacted.
 *
 * <p>Names written in lower case or in capitals, and single names without a cue ("ask Priya") unless the first-name
 * list knows them, are not found. The scan touches only words that start with a capital letter, so ordinary prose
 * costs little more than one pass over its characters.
 */
public final class PersonNameDetector implements Detector {
    private static final int ACCEPT = 4;
    private static final int MAX_TOKENS = 6;

    private static final int TITLE = 4;
    static final int STRONG = 4;
    private static final int WEAK = 1;

    private static final Set<String> PARTICLES = Set.of("van", "von", "der", "den", "de", "del", "della", "di", "da",
            "du", "des", "dos", "das", "la", "le", "ter", "ten", "bin", "ibn", "al", "el", "zu", "af", "los", "las",
            "y", "e", "ó", "ní", "nic", "mac", "ua", "op", "zum", "zur", "vom", "dalla", "degli", "dei", "lo", "st");
    /** Particles written with a capital inside a name: "Ó Briain", "Di Stefano", "Van Dijk", "Al Hashimi". */
    private static final Set<String> CAPITAL_PARTICLES = Set.of("Ó", "O", "Ní", "Nic", "Mac", "Di", "De", "Da", "Del",
            "Della", "Van", "Von", "Le", "La", "Al", "El", "Bin", "Ibn", "Abu", "Du", "Dos", "Das", "Ter", "Ten");
    private static final int LONGEST_PARTICLE = 5;
    /** How far a chat speaker may stand from the {@code [} that opens its line ("[09:12] "). */
    private static final Set<String> NAME_PREFIXES = Set.of("Mc", "Mac", "O'", "D'", "Di", "De", "Da", "La", "Le",
            "Van", "Fitz");
    private static final Set<String> TITLES = Set.of("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir",
            "madam", "dame", "herr", "herrn", "frau", "m", "mme", "mlle", "monsieur", "madame", "docteur", "dott", "sr",
            "sra", "señor", "señora", "sig", "signor", "signora", "pastor", "rev", "capt", "captain", "officer",
            "nurse", "judge", "heer", "mevrouw", "mevr", "dhr", "mw", "pan", "pani", "sig.ra", "dott.ssa", "dra", "don",
            "doña", "fru", "hr", "med");
    /** Words right before a name that all but say one follows. */
    private static final Set<String> STRONG_CUES = Set.of("i'm", "i’m", "dear", "hi", "hello", "hey", "greetings",
            "thanks", "thank", "cheers", "regards", "sincerely", "best", "yours", "wishes", "warmly", "respectfully", "groeten", "pozdrawiam", "hälsningar", "signed", "cc", "bcc", "attn",
            "hallo", "liebe", "lieber", "geehrte", "geehrter", "grüßen", "grüße", "gruß", "heiße", "heisse", "bonjour",
            "salut", "cher", "chère", "cordialement", "m'appelle", "m’appelle", "appelle", "merci", "--", "—", "–",
            "geachte", "beste", "groet", "gentile", "egregio", "caro", "cara", "saluti", "estimado", "estimada", "hola",
            "atentamente", "saludos", "klient", "klienta", "клиент", "клиентка", "пациент", "пациентка", "господин",
            "госпожа", "від", "от", "клієнт", "клієнтка", "пацієнт", "пан", "пані", "πελάτης", "πελάτισσα", "κύριος",
            "κυρία", "ασθενής", "kunden", "kund", "patienten", "patientin", "sottoscritto", "sottoscritta", "soussigné",
            "soussignée", "policyholder", "claimant", "applicant", "cardholder", "beneficiary", "spouse", "nok",
            "member", "versicherungsnehmer", "kundin", "kunde", "заявитель", "заявительница", "заявник", "заявниця",
            "пацієнтка");
    /** Labels that introduce a name when a colon follows them ({@code Contact: ...}) or in JSON keys. */
    private static final Set<String> LABELS = Set.of("name", "full_name", "fullname", "first_name", "firstname",
            "last_name", "lastname", "given_name", "family_name", "surname", "customer", "customer_name", "contact",
            "contact_name", "client", "patient", "employee", "author", "owner", "assignee", "reporter", "requester",
            "sender", "recipient", "from", "to", "person", "user_name", "display_name", "displayname", "passenger",
            "guest", "applicant", "beneficiary", "account_holder", "cardholder", "holder", "signed", "kunde", "kundin",
            "nom", "prénom", "prenom", "vorname", "nachname", "ansprechpartner", "empfänger", "absender", "titulaire",
            "claimant", "policyholder", "insured", "member", "given", "family", "nombre", "apellidos", "nome",
            "cognome", "naam", "imię", "nazwisko", "versicherungsnehmer", "forename", "forenames", "klant", "cliente",
            "paciente",
            "beneficiario", "intestatario", "titular", "kyc_applicant", "spouse", "nok", "caller");
    /** Words that often, not always, come before a name; they only count when a name list supports the run. */
    private static final Set<String> WEAK_CUES = Set.of("for", "from", "to", "by", "with", "and", "or", "ask", "tell",
            "ping", "call", "called", "contact", "email", "emailed", "met", "meet", "meeting", "colleague", "manager",
            "wife", "husband", "son", "daughter", "mother", "father", "friend", "customer", "client", "patient", "user",
            "employee", "is", "am", "was", "von", "für", "mit", "an", "und", "bei", "pour", "avec", "par", "et", "chez",
            "à", "via", "per", "name", "this", "de", "pay", "payee", "its");
    /** Words right after a name that support it. */
    private static final Set<String> AFTER_CUES = Set.of("said", "says", "wrote", "writes", "asked", "asks", "replied",
            "called", "reported", "reports", "mentioned", "confirmed", "told", "thinks", "emailed", "joined", "left",
            "signed", "sagt", "schrieb", "fragte", "dit", "écrit", "demande", "owns", "will", "can", "has", "had",
            "needs", "leads", "handles", "approved", "agreed", "noted", "sent", "shared", "presented", "joins");
    /** Words after a name and a comma that say whose birth or age follows: "Kaveri Raghunathan, born 3 May 1960". */
    private static final Set<String> BIRTH_CUES = Set.of("born", "geb", "geboren", "née", "né", "nee", "aged", "dob",
            "nacido", "nacida", "nata", "nato");
    /** Words that make the next capitalised word a place or a disease: "Fort Lauderdale", "Morbus Addison". */
    private static final Set<String> PLACE_PREFIXES = Set.of("Fort", "Port", "Mount", "Lake", "Cape", "Bad",
            "Sankt", "Puerto", "Porto", "Monte", "Isola", "Morbus", "Prince", "Princess", "King", "Queen");
    private static final Set<String> COMPANY_SUFFIXES = Set.of("AG", "GmbH", "Inc", "Ltd", "LLC", "LLP", "SA", "SE",
            "SAS", "SARL", "plc", "PLC", "Corp", "Co", "KG", "NV", "BV", "AB", "ASA", "Oy", "SpA", "Srl", "Group",
            "Bank", "Holdings", "Partners", "Foundation", "University", "Institute", "Hospital", "Clinic");
    private static final String[] SURNAME_ENDINGS = {"son", "sen", "sson", "ez", "ski", "ska", "cki", "cka", "wicz",
            "ov", "ova", "ev", "eva", "enko", "yan", "ian", "poulos", "oulou", "escu", "elli", "etti", "ini", "oglu",
            "oğlu", "adze", "shvili", "ić", "vic", "ovich", "berg", "stein", "mann", "baum", "feld", "yev", "yeva",
            "uddin", "ullah", "wala", "appa", "aiah", "ова", "ева", "ов", "ев", "ин", "ина", "ский", "ская", "енко",
            "ець", "ук", "юк", "ич", "ський", "ська"};

    private final NameLexicon lexicon;

    /** Uses the built-in name lists; they are loaded once per class loader and shared by all instances. */
    public PersonNameDetector() {
        this.lexicon = NameLexicon.builtIn();
    }

    @Override
    public void detect(String text, List<Finding> findings) {
        List<Finding> found = new ArrayList<>();
        capitalised(text, found);
        new NameForms(lexicon, text, found).scan();
        spacedInitials(text, found);
        labelled(text, found);
        Set<Finding> distinct = new java.util.LinkedHashSet<>(found);
        for (Finding finding : distinct) {
            if (!lexicon.insideKnownPhrase(text, finding.start(), finding.end())
                    && !NameForms.inCommerceContext(text, finding.end())) {
                findings.add(finding);
            }
        }
    }

    /** Runs of capitalised words, scored on the evidence described above. */
    private void capitalised(String text, List<Finding> findings) {
        int length = text.length();
        int[] starts = new int[MAX_TOKENS];
        int[] ends = new int[MAX_TOKENS];
        boolean[] particleBefore = new boolean[MAX_TOKENS];
        int position = 0;
        while (position < length) {
            char c = text.charAt(position);
            if (!isUpper(c) || (position > 0 && joinsWord(text.charAt(position - 1)))) {
                position++;
                continue;
            }
            int count = 0;
            int cursor = position;
            int runEnd = position + 1;
            while (count < MAX_TOKENS) {
                int end = tokenEnd(text, cursor);
                if (end < 0) {
                    break;
                }
                starts[count] = cursor;
                ends[count] = end;
                // nextTokenStart steps over more than one space only by way of particles ("van der").
                particleBefore[count] = count > 0 && cursor - ends[count - 1] > 1;
                count++;
                runEnd = end;
                if (end < length && isApostrophe(text.charAt(end))) {
                    break;
                }
                cursor = nextTokenStart(text, end);
                if (cursor < 0) {
                    break;
                }
            }
            if (count > 0) {
                int lastFirst = lastCommaFirst(text, starts, ends, count);
                if (lastFirst > 0) {
                    int kind = classify(text, starts[0], ends[0]);
                    int nameStart = count == 2 && kind != LAST && kind != FIRST ? starts[1] : starts[0];
                    findings.add(new Finding(nameStart, lastFirst, PiiTypes.PERSON));
                    runEnd = lastFirst;
                } else {
                    score(text, starts, ends, particleBefore, count, findings);
                }
            }
            position = Math.max(runEnd, skipWord(text, position));
        }
    }

    /** "A L Whitlock", "C S Postlethwaite": two or three initials without dots, then a surname. */
    private void spacedInitials(String text, List<Finding> findings) {
        int length = text.length();
        for (int i = text.indexOf(' ', 1); i > 0 && i + 3 < length; i = text.indexOf(' ', i + 1)) {
            int start = i - 1;
            if (!isInitialAt(text, start) || !isInitialAt(text, i + 1) || text.charAt(i + 2) != ' ') {
                continue;
            }
            int surname = i + 3;
            if (surname + 1 < length && isInitialAt(text, surname) && text.charAt(surname + 1) == ' ') {
                surname += 2;
            }
            int end = tokenEnd(text, surname);
            if (end > 0 && classify(text, surname, end) != OTHER) {
                findings.add(new Finding(start, end, PiiTypes.PERSON));
                i = end;
            }
        }
    }

    /** A lone capital letter: its own word, followed by a space. */
    private static boolean isInitialAt(String text, int i) {
        return isUpper(text.charAt(i)) && (i == 0 || !Chars.isLetterOrDigit(text.charAt(i - 1)))
                && i + 1 < text.length() && text.charAt(i + 1) == ' ';
    }

    /** Splits a run of capitalised words at words that cannot be part of a name and scores each remaining part. */
    private void score(String text, int[] starts, int[] ends, boolean[] particleBefore, int count,
            List<Finding> findings) {
        int[] kinds = new int[count];
        for (int i = 0; i < count; i++) {
            kinds[i] = classify(text, starts[i], ends[i]);
        }
        // A first name the word list also holds ("Barnaby") before a listed surname, after a cue and not at a
        // sentence start, is a name: "for Barnaby Holloway"; after a greeting or sign-off even at a line start.
        int leadingCue = count >= 2 && kinds[0] == OTHER && kinds[1] == LAST ? cueBefore(text, starts[0]) : 0;
        if (leadingCue >= WEAK && (!atSentenceStart(text, starts[0]) || leadingCue >= STRONG)
                && !lexicon.isNotName(text, starts[0], ends[0])) {
            kinds[0] = UNKNOWN;
        }
        // "Fort Lauderdale", "Port Talbot", "Lake Placid": a place, whatever the word after the prefix.
        for (int k = 0; k + 1 < count; k++) {
            if (PLACE_PREFIXES.contains(text.substring(starts[k], ends[k]))) {
                kinds[k] = OTHER;
                kinds[k + 1] = OTHER;
            }
        }
        // A leading cue ("Клиент Иван Петров", "Patientin Ute Fuchs") or ordinary word before a first name
        // ("Reach Travis Harris") is no part of the name.
        for (int k = 0; k + 1 < count && kinds[k] != OTHER; k++) {
            String word = normalise(text.substring(starts[k], ends[k]));
            boolean cue = STRONG_CUES.contains(word) || TITLES.contains(word) || LABELS.contains(word);
            boolean ordinary = (kinds[k] == COMMON_LAST || kinds[k] == PROPER)
                    && (kinds[k + 1] == FIRST || kinds[k + 1] == COMMON_FIRST);
            if (!cue && !ordinary) {
                break;
            }
            kinds[k] = OTHER;
        }
        int i = 0;
        while (i < count) {
            if (kinds[i] == OTHER) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < count && kinds[j + 1] != OTHER) {
                j++;
            }
            int last = j;
            while (last >= i && kinds[last] == INITIAL) {
                last--;
            }
            if (last >= i) {
                scorePart(text, starts, ends, particleBefore, kinds, i, last, findings);
            }
            i = j + 1;
        }
    }

    private void scorePart(String text, int[] starts, int[] ends, boolean[] particleBefore, int[] kinds, int first,
            int last, List<Finding> findings) {
        int start = starts[first];
        int end = ends[last];
        boolean listed = false;
        int score;
        if (first == last) {
            int kind = kinds[first];
            if (kind == PROPER && !isTitleOrGreeting(wordBefore(text, start))) {
                return;
            }
            score = kind == FIRST ? 3 : kind == COMMON_FIRST ? 0 : 1;
            // A sign-off: a first name alone on its line ("Caoimhe" above "Duty Pharmacist").
            if (kind == FIRST && NameForms.fillsLine(text, start, end)) {
                score++;
            }
            listed = kind != UNKNOWN;
        } else {
            score = switch (kinds[first]) {
                case FIRST -> 3;
                case LAST, COMMON_LAST, UNKNOWN, INITIAL, PROPER -> 1;
                default -> 0;
            };
            // "Till Lorenz", "Madison Whitfield": a first name that is also a word or a place, before a surname
            // that is no word, is a name.
            if (kinds[first] == COMMON_FIRST && surnameWord(text, starts[last], ends[last], kinds[last])) {
                score = 1;
            }
            // "S. P. Walker", "J. Wright": initials before a capitalised word are how people are written.
            if (kinds[first] == INITIAL) {
                score++;
            }
            boolean surname = surnameWord(text, starts[last], ends[last], kinds[last])
                    || (kinds[last] == COMMON_LAST && kinds[first] == FIRST)
                    || (kinds[last] == PROPER && (kinds[first] == FIRST || kinds[first] == INITIAL))
                    || particleBefore[last]
                    || hasSurnameEnding(text, starts[last], ends[last]);
            score += (surname ? 2 : 1) + 1;
            // Two words that no list and no dictionary knows are a name after a word such as "for" or "pay".
            boolean unknownPair = last == first + 1 && kinds[first] == UNKNOWN && kinds[last] == UNKNOWN;
            listed = kinds[first] == FIRST || kinds[first] == COMMON_FIRST || surname || unknownPair;
        }
        int particles = particlesBefore(text, start);
        if (particles < start && cueBefore(text, particles) >= TITLE) {
            start = particles;
        }
        int cue = cueBefore(text, start);
        if (cue >= STRONG || listed) {
            score += cue;
        }
        if (first == last && cue == 0 && atSentenceStart(text, start) && !NameForms.fillsLine(text, start, end)) {
            score--;
        }
        score += cueAfter(text, end);
        if (end < text.length() && text.charAt(end) == ':' && NameForms.afterTimeStamp(text, start)) {
            score += STRONG;
        }
        if (score >= ACCEPT && !followedByCompanySuffix(text, end)
                && !NameForms.isNotPersonNoun(text, starts[last], end)
                && !NameForms.followedByNotPersonNoun(text, end)) {
            findings.add(new Finding(start, end, PiiTypes.PERSON));
        }
    }

    /** A surname that is no ordinary word, even if it is a first name too ("Harris", "Lorenz"). */
    private boolean surnameWord(String text, int start, int end, int kind) {
        return kind == LAST || ((kind == FIRST || kind == COMMON_FIRST)
                && lexicon.isLastName(normalise(text.substring(start, end)))
                && !lexicon.isCommonWord(normalise(text.substring(start, end))));
    }

    private static final int OTHER = 0;
    private static final int FIRST = 1;
    private static final int LAST = 2;
    private static final int UNKNOWN = 3;
    private static final int INITIAL = 4;
    /** A surname that is also an ordinary word ("Bank", "Street"): evidence only next to a known first name. */
    private static final int COMMON_LAST = 5;
    /** A first name that is also an ordinary word at a sentence start ("Will", "Grace", "Rusty"). */
    private static final int COMMON_FIRST = 6;
    /** A proper noun of the dictionary and no listed name ("Trevelyan", "Dortmund", "Italian"). */
    private static final int PROPER = 7;

    private int classify(String text, int start, int end) {
        if (end - start == 2 && text.charAt(start + 1) == '.'
                || (end - start == 4 && text.charAt(start + 1) == '.' && text.charAt(start + 3) == '.')) {
            return INITIAL;
        }
        if (lexicon.isNotName(text, start, end)) {
            return lexicon.isFirstName(text, start, end) ? COMMON_FIRST : OTHER;
        }
        if (lexicon.isFirstName(text, start, end)) {
            // Capitalised only because a sentence starts with it, a first name that is also a word is most likely
            // the word: "Will you confirm", "Grace periods", "Rusty pipes".
            return lexicon.isCommonWord(text, start, end) && atSentenceStart(text, start) ? COMMON_FIRST : FIRST;
        }
        if (lexicon.isLastName(text, start, end)) {
            return lexicon.isCommonWord(text, start, end) ? COMMON_LAST : LAST;
        }
        if (text.indexOf('-', start, end) < 0) {
            if (!(end - start > 2 && isApostrophe(text.charAt(start + 1)))) {
                if (!lexicon.isCommonWord(text, start, end)) {
                    return UNKNOWN;
                }
                // "Trevelyan", "Wiesenthal": a proper noun is a surname beside a first name or initials, or after
                // a title; on its own, a place, a brand or a nationality.
                return lexicon.isProperNoun(text, start, end) ? PROPER : OTHER;
            }
        }
        String word = normalise(text.substring(start, end));
        int hyphen = word.indexOf('-');
        if (hyphen > 0) {
            String head = word.substring(0, hyphen);
            String tail = word.substring(hyphen + 1);
            if (lexicon.isFirstName(head) && (lexicon.isFirstName(tail) || !lexicon.isCommonWord(tail))) {
                return FIRST;
            }
            if (lexicon.isLastName(head) || lexicon.isLastName(tail)) {
                return LAST;
            }
            return lexicon.isCommonWord(head) && lexicon.isCommonWord(tail) ? OTHER : UNKNOWN;
        }
        if (word.length() > 2 && word.charAt(1) == '\'') {
            String rest = word.substring(2);
            if (lexicon.isLastName(rest) || !lexicon.isCommonWord(rest)) {
                return LAST;
            }
        }
        return lexicon.isCommonWord(word) ? OTHER : UNKNOWN;
    }

    private static String normalise(String word) {
        return word.replace('’', '\'').toLowerCase(Locale.ROOT);
    }

    /**
     * The end of a name-shaped word starting at {@code start}: a capital, then lower-case letters, optionally joined
     * by hyphens or an apostrophe ("Jean-Luc", "O'Connor") or after a name prefix ("McDonald"); or an initial
     * ("F."). -1 for anything else, such as "OpenAI", "JIRA" or "X1".
     */
    private static int tokenEnd(String text, int start) {
        int length = text.length();
        if (start >= length || !isUpper(text.charAt(start))) {
            return -1;
        }
        int i = start + 1;
        if (i < length && text.charAt(i) == '.' && (i + 1 >= length || !Chars.isLetterOrDigit(text.charAt(i + 1)))) {
            return i + 1;
        }
        if (i + 2 < length && text.charAt(i) == '.' && isUpper(text.charAt(i + 1)) && text.charAt(i + 2) == '.'
                && (i + 3 >= length || !Chars.isLetterOrDigit(text.charAt(i + 3)))) {
            return i + 3;
        }
        int lowers = 0;
        while (i < length) {
            char c = text.charAt(i);
            if (isLower(c)) {
                lowers++;
                i++;
            } else if ((c == '-' || isApostrophe(c)) && i + 1 < length && isUpper(text.charAt(i + 1))
                    && (lowers > 0 || isApostrophe(c))) {
                i += 2;
            } else if (c == '-' && lowers > 0 && i + 2 < length && isLower(text.charAt(i + 1))
                    && isLower(text.charAt(i + 2))) {
                i += 1;
            } else if (isUpper(c) && holds(NAME_PREFIXES, text, start, i)) {
                i++;
            } else {
                break;
            }
        }
        if (lowers == 0 || isUpper(text.charAt(i - 1))) {
            return -1;
        }
        if (i < length) {
            char c = text.charAt(i);
            if (Chars.isLetterOrDigit(c) || c == '_' || c == '@' || (c == '.' && i + 1 < length
                    && Chars.isLetterOrDigit(text.charAt(i + 1)))) {
                return -1;
            }
        }
        return i;
    }

    /** Where the next word of the same name could start after {@code end}: one space, optional particles. */
    private static int nextTokenStart(String text, int end) {
        int length = text.length();
        int i = end;
        if (i >= length || !isSpace(text.charAt(i))) {
            return -1;
        }
        i++;
        while (i < length) {
            int wordEnd = i + 1;
            while (wordEnd < length && isLower(text.charAt(wordEnd))) {
                wordEnd++;
            }
            boolean capitalParticle = isUpper(text.charAt(i)) && wordEnd < length && isSpace(text.charAt(wordEnd))
                    && wordEnd + 1 < length && isUpper(text.charAt(wordEnd + 1))
                    && holds(CAPITAL_PARTICLES, text, i, wordEnd);
            if (isUpper(text.charAt(i)) && !capitalParticle) {
                break;
            }
            if (!capitalParticle && (!isLower(text.charAt(i)) || wordEnd >= length || !isSpace(text.charAt(wordEnd))
                    || !holds(PARTICLES, text, i, wordEnd))) {
                return -1;
            }
            i = wordEnd + 1;
        }
        return i < length ? i : -1;
    }

    private static boolean hasSurnameEnding(String text, int start, int end) {
        String word = text.substring(start, end).toLowerCase(Locale.ROOT);
        for (String ending : SURNAME_ENDINGS) {
            if (word.length() > ending.length() + 2 && word.endsWith(ending)) {
                return true;
            }
        }
        return false;
    }

    /** How strongly the words before {@code start} announce a name: a title, a greeting, a label, a JSON key. */
    static int cueBefore(String text, int start) {
        int i = start - 1;
        boolean colon = false;
        boolean quote = false;
        boolean dot = false;
        while (i >= 0) {
            char c = text.charAt(i);
            if (c == ':') {
                colon = true;
            } else if (c == '"' || c == '\'' || c == '“' || c == '«') {
                quote = true;
            } else if (c == '.') {
                dot = true;
            } else if (!(isSpace(c) || c == '\n' || c == '\r' || c == ',' || c == '(' || c == '[' || c == '{')) {
                break;
            }
            i--;
            if (start - i > 12) {
                return 0;
            }
        }
        int wordEnd = i + 1;
        if (colon && i > 0 && Chars.isDigit(text.charAt(i)) && (i < 1 || !Chars.isDigit(text.charAt(i - 1)))
                && text.charAt(i - 1) == ' ') {
            // "Applicant 1:", "Patient 2:": the label is the word before the number.
            i -= 2;
            wordEnd = i + 1;
        }
        while (i >= 0 && isCueChar(text.charAt(i))) {
            i--;
        }
        if (i + 1 == wordEnd) {
            return 0;
        }
        String word = normalise(text.substring(i + 1, wordEnd));
        if (colon && LABELS.contains(word)) {
            return STRONG;
        }
        if (i > 0 && text.charAt(i) == '.' && Chars.isLetter(text.charAt(i - 1))
                && TITLES.contains(previousWord(text, i - 1) + "." + word)) {
            // "Sig.ra", "Dott.ssa": a title with a dot inside.
            return TITLE;
        }
        if (quote && colon) {
            return 0;
        }
        if (TITLES.contains(word) && (dot || wordEnd == start - 1)) {
            return word.equals("m") && !dot ? 0 : TITLE;
        }
        if (dot) {
            return 0;
        }
        if (STRONG_CUES.contains(word)) {
            return STRONG;
        }
        String previous = previousWord(text, i);
        if ((word.equals("am") && previous.equals("i")) || (word.equals("is") && previous.equals("name"))
                || (word.equals("ist") && previous.equals("name")) || (word.equals("bin") && previous.equals("ich"))
                || (word.equals("suis") && previous.equals("je")) || (word.equals("is") && previous.equals("this"))) {
            return STRONG;
        }
        return WEAK_CUES.contains(word) || LABELS.contains(word) ? WEAK : 0;
    }

    private static String previousWord(String text, int beforeIndex) {
        int i = beforeIndex;
        while (i >= 0 && isSpace(text.charAt(i))) {
            i--;
        }
        int end = i + 1;
        while (i >= 0 && Chars.isLetter(text.charAt(i))) {
            i--;
        }
        return normalise(text.substring(i + 1, end));
    }

    static int cueAfter(String text, int end) {
        int length = text.length();
        int i = end;
        if (i + 1 < length && isApostrophe(text.charAt(i)) && text.charAt(i + 1) == 's') {
            return 0;
        }
        while (i < length && isSpace(text.charAt(i))) {
            i++;
        }
        if (i >= length) {
            return 0;
        }
        if (text.charAt(i) == '(' || text.charAt(i) == '<') {
            return 1;
        }
        if (text.charAt(i) == ',' && i + 2 < length && isSpace(text.charAt(i + 1))) {
            int wordEnd = i + 2;
            while (wordEnd < length && Chars.isLetter(text.charAt(wordEnd))) {
                wordEnd++;
            }
            return BIRTH_CUES.contains(text.substring(i + 2, wordEnd).toLowerCase(Locale.ROOT)) ? 1 : 0;
        }
        int wordEnd = i;
        while (wordEnd < length && isLower(text.charAt(wordEnd))) {
            wordEnd++;
        }
        return wordEnd > i && AFTER_CUES.contains(text.substring(i, wordEnd)) ? 1 : 0;
    }

    /** Whether {@code word}, in lower case, is a label that introduces a name when a colon follows it. */
    static boolean isLabel(String word) {
        return LABELS.contains(word);
    }

    private static final Set<String> GREETINGS = Set.of("hi", "hello", "hey", "dear", "liebe", "lieber", "bonjour",
            "hola", "ciao", "beste", "cara", "caro");

    /** Whether a name stands after {@code word} even when it is also a place: "Frau Wiesenthal", "Hi Cressida". */
    private static boolean isTitleOrGreeting(String word) {
        return TITLES.contains(word) || GREETINGS.contains(word);
    }

    /**
     * The word right before {@code start}, in lower case and with its inner dots ("dr", "sig.ra", "hi"); empty when
     * there is none or it is the tail of an elision, as the "m" of "I'm" is.
     */
    private static String wordBefore(String text, int start) {
        int end = start - 1;
        while (end > 0 && (isSpace(text.charAt(end)) || text.charAt(end) == '.')) {
            end--;
        }
        int wordStart = end;
        while (wordStart > 0 && (Chars.isLetter(text.charAt(wordStart - 1)) || text.charAt(wordStart - 1) == '.')) {
            wordStart--;
        }
        if (end < 0 || wordStart > end || (wordStart > 0 && isApostrophe(text.charAt(wordStart - 1)))) {
            return "";
        }
        return normalise(text.substring(wordStart, end + 1));
    }

    /** "Meyer Burger AG" or "Goldman Sachs Group" name a company, not a person. */
    private static boolean followedByCompanySuffix(String text, int end) {
        int i = end;
        while (i < text.length() && (isSpace(text.charAt(i)) || text.charAt(i) == '&' || text.charAt(i) == ',')) {
            i++;
        }
        int wordEnd = i;
        while (wordEnd < text.length() && Chars.isLetter(text.charAt(wordEnd))) {
            wordEnd++;
        }
        return wordEnd > i && i > end && COMPANY_SUFFIXES.contains(text.substring(i, wordEnd));
    }

    private static boolean atSentenceStart(String text, int start) {
        int i = start - 1;
        while (i >= 0 && (isSpace(text.charAt(i)) || text.charAt(i) == '"' || text.charAt(i) == '\'')) {
            i--;
        }
        if (i < 0) {
            return true;
        }
        char c = text.charAt(i);
        return c == '.' || c == '!' || c == '?' || c == '\n' || c == '\r' || c == ':' || c == '*' || c == '#'
                || c == '-' || c == '>';
    }

    /**
     * "Wright, Travis", "Thompson, Lauren": one or two words whose last is a known surname, a comma, and a known
     * first name. Where the name ends, or -1.
     */
    private int lastCommaFirst(String text, int[] starts, int[] ends, int count) {
        int end = ends[count - 1];
        if (count > 2 || end + 2 >= text.length() || text.charAt(end) != ',' || text.charAt(end + 1) != ' ') {
            return -1;
        }
        String surname = normalise(text.substring(starts[count - 1], end));
        if (lexicon.isNotName(surname)) {
            return -1;
        }
        int firstEnd = tokenEnd(text, end + 2);
        int firstKind = firstEnd < 0 ? OTHER : classify(text, end + 2, firstEnd);
        boolean listedSurname = lexicon.isLastName(surname);
        // An unlisted surname needs a listed first name after it and a cue before it: "Refund to Fairweather, Alistair".
        // At a line start, as in a chat export, any listed name before the comma will do: "Qasim, Khalid 16/01".
        boolean lineStart = starts[0] == 0 || text.charAt(starts[0] - 1) == '\n';
        int cue = cueBefore(text, starts[count - 1]);
        // After a label or a dash, the first name need not be listed: "Applicant 1: Mirzaei, Dariush".
        if (!(listedSurname && (firstKind == FIRST || firstKind == UNKNOWN))
                && !(firstKind == FIRST && cue >= WEAK) && !(firstKind == UNKNOWN && cue >= STRONG)
                && !(firstKind == FIRST && lineStart && lexicon.isFirstName(surname))) {
            return -1;
        }
        int next = nextTokenStart(text, firstEnd);
        int nextEnd = next < 0 ? -1 : tokenEnd(text, next);
        if (nextEnd > 0 && classify(text, next, nextEnd) == INITIAL) {
            return nextEnd;
        }
        return nextEnd > 0 ? -1 : firstEnd;
    }

    /** Where lower-case particles right before {@code start} begin ("heer van Dijk"), or {@code start}. */
    private static int particlesBefore(String text, int start) {
        int begin = start;
        int i = start - 1;
        while (i > 0 && text.charAt(i) == ' ') {
            int wordEnd = i;
            int wordStart = wordEnd;
            while (wordStart > 0 && Chars.isLetter(text.charAt(wordStart - 1))) {
                wordStart--;
            }
            if (wordStart == wordEnd || !(holds(PARTICLES, text, wordStart, wordEnd)
                    || holds(CAPITAL_PARTICLES, text, wordStart, wordEnd))) {
                break;
            }
            begin = wordStart;
            i = wordStart - 1;
        }
        return begin;
    }

    /**
     * Values under a label that names a person ({@code "cardholder": "..."}, {@code Nombre: ...}, a {@code patient}
     * column, HL7 {@code PID-5}), in any case and script, when they read as a name.
     */
    private void labelled(String text, List<Finding> findings) {
        for (Fields.Field field : Fields.of(text)) {
            if (NameForms.isNameLabel(field.label()) && NameForms.readsAsName(lexicon, text, field.start(),
                    field.end())) {
                findings.add(new Finding(field.start(), field.end(), PiiTypes.PERSON));
            }
        }
    }

    /** Skips the rest of a word that could not start a name, such as "OpenAI" or "JIRA-70707". */
    private static int skipWord(String text, int start) {
        int i = start + 1;
        while (i < text.length() && (Chars.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '-'
                || text.charAt(i) == '_')) {
            i++;
        }
        return i;
    }

    /**
     * Whether {@code words} (particles, name prefixes: none longer than {@value #LONGEST_PARTICLE} characters) holds
     * {@code text[start, end)}, a typographic apostrophe read as a plain one. Asked after most capitalised words, so
     * longer words are answered without a copy.
     */
    private static boolean holds(Set<String> words, String text, int start, int end) {
        return end - start <= LONGEST_PARTICLE && words.contains(text.substring(start, end).replace('’', '\''));
    }

    private static boolean joinsWord(char c) {
        return Chars.isLetterOrDigit(c) || c == '_' || c == '@' || c == '.' || c == '/' || c == '\\' || c == '-'
                || c == '\'' || c == '’';
    }

    private static boolean isCueChar(char c) {
        return Chars.isLetter(c) || c == '\'' || c == '’' || c == '_' || c == '-' || c == '—' || c == '–';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\u00a0';
    }

    private static boolean isApostrophe(char c) {
        return c == '\'' || c == '’';
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z' || (c >= 0x80 && Character.isUpperCase(c));
    }

    private static boolean isLower(char c) {
        return c >= 'a' && c <= 'z' || (c >= 0x80 && Character.isLowerCase(c));
    }
}
