package dev.veil.plugins.pii.detect;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The name forms the capitalised-word scan of {@link PersonNameDetector} cannot see: names in capitals
 * ({@code KARL-HEINZ BRÜHLMANN}, {@code O'DONOGHUE, Saoirse}), in lower case ({@code noémie le goff}), and Chinese
 * names, which are written without spaces or capitals. Capitals and lower case are common in ordinary text
 * (acronyms, every other word), so both need the name lists: a known first name and a known surname, neither an
 * ordinary word, or a strong cue before them.
 */
final class NameForms {
    private static final int MAX_WORDS = 4;
    private static final int MIN_WORD = 2;
    private static final int MAX_WORD = 24;
    private static final int MAX_NAME_VALUE = 60;
    /** How far a chat handle may stand from its line start: "[09:12] " before it. */
    /** How long a chat line's time stamp before a speaker's name can be: {@code [2025-03-03 11:36:45] }. */
    private static final int SPEAKER_PREFIX = 24;

    private static final Set<String> CHAT_INTRODUCTIONS = Set.of("its", "it's", "im", "i'm", "is", "am");
    private static final Set<String> NAME_LABELS = Set.of("name", "full_name", "fullname", "full name",
            "first_name", "firstname", "first name", "last_name", "lastname", "last name", "given", "given_name",
            "family", "family_name", "surname", "forename", "forenames", "patient", "patient name", "patient_name",
            "customer",
            "customer_name", "claimant", "applicant", "cardholder", "card_holder", "holder", "account_holder",
            "beneficiary", "contact", "contact_name", "employee", "policyholder", "insured", "member", "passenger",
            "guest", "nombre", "nombre completo", "apellidos", "nom", "prénom", "prenom", "nom complet", "vorname",
            "nachname", "kunde", "kundin", "versicherungsnehmer", "naam", "volledige naam", "klant", "nome",
            "cognome", "nome completo", "intestatario", "imię i nazwisko", "imię", "nazwisko", "namn",
            "fullständigt namn",
            "kund", "titular", "paciente", "patientin", "spouse", "driver", "recipient", "sender", "owner",
            "display_name", "user_name", "author", "requester", "assignee", "reporter", "signed", "signatory",
            "client", "caller", "klient", "klantnaam",
            "اسم", "اسم المريض", "الاسم", "имя", "фио", "姓名", "όνομα", "ονοματεπώνυμο", "ім'я", "піб");
    /**
     * Words that make the capitalised words before them a place, an institution, a law or an eponym rather than a
     * person: "Chelsea Harbour", "Royal Marsden Hospital", "Monte Carlo simulation", "Huntington's disease".
     */
    private static final Set<String> NOT_PERSON_NOUNS = Set.of("harbour", "harbor", "park", "street", "road",
            "avenue", "lane", "bridge", "hill", "lake", "bay", "valley", "square", "gardens", "green", "heights",
            "wharf", "quay", "beach", "island", "islands", "point", "falls", "springs", "river", "wood", "woods",
            "forest", "mountain", "station", "airport", "hall", "house", "castle", "cathedral", "abbey", "church",
            "market", "centre", "center", "tower", "college", "university", "hospital", "clinic", "school",
            "institute", "foundation", "trust", "bank", "group", "capital", "partners", "brothers", "sons",
            "associates", "stores", "motors", "airlines", "pharma", "labs", "studios", "records", "media",
            "holdings", "ventures", "consulting", "disease", "syndrome", "lymphoma", "sarcoma", "equilibrium",
            "simulation", "method", "theorem", "effect", "protocol", "distribution", "principle", "test", "scale",
            "score", "index", "prize", "award", "medal", "lecture", "act", "law", "laws", "rule", "procedure",
            "algorithm", "transform", "filter", "curve", "number", "constant", "paradox", "conjecture", "hypothesis",
            "criteria", "criterion", "classification", "sign", "reflex", "maneuver", "manoeuvre", "operation",
            "fund", "insurance", "mutual", "trophy", "cup", "stadium", "arena", "collection", "estate",
            "way", "drive", "close", "crescent", "terrace", "place", "row", "boulevard", "business", "card",
            "cards", "pay", "bi", "teams", "office", "cloud", "palsy", "oesophagus", "esophagus", "phenomenon",
            "tumour", "tumor", "thyroiditis", "ulcer", "anomaly", "encephalopathy", "dystrophy", "sclerosis",
            "fever", "virus", "bacillus", "canal", "duct", "gland", "node", "fracture", "sequence", "series",
            "inequality", "lemma", "formula", "model", "process", "chain", "machine", "inference", "regression");
    private static final Set<String> CHINESE_CUES = Set.of("客户", "患者", "联系人", "姓名", "用户", "先生", "女士",
            "病人", "申请人", "收件人", "员工");
    private static final String CHINESE_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于"
            + "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
    private static final String CHINESE_STOPS = "来的在说已于电先女是和与要请您了从把被给向对将就也都还又";

    private final NameLexicon lexicon;
    private final String text;
    private final List<Finding> findings;

    NameForms(NameLexicon lexicon, String text, List<Finding> findings) {
        this.lexicon = lexicon;
        this.text = text;
        this.findings = findings;
    }

    /** One pass over the words of the text. */
    void scan() {
        int length = text.length();
        int[] starts = new int[MAX_WORDS];
        int[] ends = new int[MAX_WORDS];
        int i = 0;
        boolean han = false;
        while (i < length) {
            char c = text.charAt(i);
            han |= c >= 0x4E00 && isHan(c);
            if (!Chars.isLetter(c) || (i > 0 && isWordChar(text.charAt(i - 1)))) {
                i++;
                continue;
            }
            if (c >= 'a' && c <= 'z') {
                // The common case, read once: a lower-case ASCII word that no list knows and no cue precedes.
                int end = i + 1;
                int sum = c;
                for (char d; end < length && (d = text.charAt(end)) >= 'a' && d <= 'z'; end++) {
                    sum = 31 * sum + d;
                }
                boolean plain = end == length || !(Chars.isLetter(text.charAt(end)) || text.charAt(end) == '\''
                        || text.charAt(end) == '’' || text.charAt(end) == '-');
                if (plain && (end - i < MIN_WORD || end - i > MAX_WORD
                        || (!lexicon.canStartLowerCaseAsciiName(sum, text, i, end) && !cheapCueBefore(i)))) {
                    i = end;
                    continue;
                }
            }
            boolean caps = isCaps(c);
            boolean lower = isLowerLetter(c);
            int firstEnd = wordEnd(text, i);
            if ((!caps && !lower) || firstEnd - i < MIN_WORD || firstEnd - i > MAX_WORD
                    || !sameCase(i, firstEnd, caps)) {
                i = Math.max(i + 1, firstEnd);
                continue;
            }
            // Nearly every lower-case word ends here: a name in lower case starts with a listed name, or follows
            // a cue such as "this is" or "client:".
            if (lower && !lexicon.canStartLowerCaseName(text, i, firstEnd) && !cheapCueBefore(i)) {
                i = firstEnd;
                continue;
            }
            int count = 0;
            int cursor = i;
            while (count < MAX_WORDS) {
                int end = wordEnd(text, cursor);
                if (end - cursor < MIN_WORD || end - cursor > MAX_WORD || !sameCase(cursor, end, caps)) {
                    break;
                }
                starts[count] = cursor;
                ends[count] = end;
                count++;
                if (end + 1 >= length || text.charAt(end) != ' ' || !Chars.isLetter(text.charAt(end + 1))) {
                    break;
                }
                cursor = end + 1;
            }
            int next = count == 0 ? wordEnd(text, i) : ends[0];
            if (count > 0) {
                int nameEnd = caps ? capitals(starts, ends, count) : lowerCase(starts, ends, count);
                next = Math.max(next, nameEnd);
            }
            i = Math.max(i + 1, next);
        }
        if (han) {
            chinese();
        }
    }

    /** Whether the words right before {@code start} could be a cue ("this is", "client:"); cheap, so asked first. */
    private boolean cheapCueBefore(int start) {
        if (start == 0 || text.charAt(start - 1) == '\n') {
            return true;
        }
        if (start < 3 || text.charAt(start - 1) != ' ') {
            return false;
        }
        char c = text.charAt(start - 2);
        char b = text.charAt(start - 3);
        return c == ':' || c == ',' || c == ']' || (c == 's' && (b == 'i' || b == 't')) || (c == 'm' && b == 'a')
                || (c == 'i' && b == 'h') || (c == ' ' && b == ':');
    }

    /** Where a name in capitals starting at {@code starts[0]} ends (recording it), or -1. */
    private int capitals(int[] starts, int[] ends, int count) {
        int firstNames = 0;
        int known = 0;
        int words = 0;
        for (int k = 0; k < count; k++) {
            String word = lower(starts[k], ends[k]);
            if (lexicon.isNotName(word) || (lexicon.isCommonWord(word) && !lexicon.isLastName(word)
                    && !lexicon.isProperNoun(word))) {
                break;
            }
            boolean first = lexicon.isFirstName(word);
            boolean last = lexicon.isLastName(word);
            if (!first && !last && ends[k] - starts[k] <= 3) {
                break;
            }
            firstNames += first ? 1 : 0;
            known += first || last ? 1 : 0;
            words++;
        }
        if (words == 0) {
            return -1;
        }
        int start = starts[0];
        int end = ends[words - 1];
        int titleFirst = commaFirstName(end);
        int cue = PersonNameDetector.cueBefore(text, start);
        boolean cued = cue >= PersonNameDetector.STRONG;
        // "LOXLEY, Ambrose": an unlisted surname in capitals needs a listed first name after its comma, or a cue.
        if (titleFirst > 0 && (known >= 1 || cue > 0 || (words == 1 && listedFirstName(end + 2)))) {
            findings.add(new Finding(start, titleFirst, PiiTypes.PERSON));
            return titleFirst;
        }
        boolean unknownWord = known < words;
        boolean ownLine = words == count && fillsLine(text, start, end);
        if (words >= 2 && words <= 3 && ownLine && known >= 1) {
            findings.add(new Finding(start, end, PiiTypes.PERSON));
            return end;
        }
        // "Customer ZIEMOWIT CHRZĄSZCZ", "soussignée SOIZIC BONNEFOY": after a cue, capitals no dictionary knows.
        boolean cuedUnknown = cue > 0 && words == count && words <= 3 && known < words;
        if (words >= 2 && ((firstNames >= 1 && (known >= 2 || unknownWord)) || (cued && known >= 1) || cuedUnknown)) {
            findings.add(new Finding(start, end, PiiTypes.PERSON));
            return end;
        }
        return -1;
    }

    private boolean listedFirstName(int start) {
        int end = wordEnd(text, start);
        return end - start >= MIN_WORD && lexicon.isFirstName(lower(start, end));
    }

    /** Whether {@code [start, end)} fills its line, as a name does in a letter head or a payment record. */
    static boolean fillsLine(String text, int start, int end) {
        return (start == 0 || text.charAt(start - 1) == '\n') && (end == text.length() || text.charAt(end) == '\n'
                || text.charAt(end) == '\r');
    }

    /** {@code CASTILLO IBÁÑEZ, Begoña}: after a surname in capitals, a comma and known first names; their end. */
    private int commaFirstName(int end) {
        if (end + 2 >= text.length() || text.charAt(end) != ',' || text.charAt(end + 1) != ' ') {
            return -1;
        }
        int cursor = end + 2;
        int last = -1;
        while (cursor < text.length() && Character.isUpperCase(text.charAt(cursor))) {
            int wordEnd = wordEnd(text, cursor);
            String word = lower(cursor, wordEnd);
            int hyphen = word.indexOf('-');
            boolean firstName = lexicon.isFirstName(word) || (hyphen > 0 && lexicon.isFirstName(word.substring(0, hyphen)));
            if (wordEnd - cursor < MIN_WORD || (!firstName && (hyphen >= 0 || lexicon.isCommonWord(word)
                    || lexicon.isNotName(word)))) {
                break;
            }
            last = wordEnd;
            if (wordEnd + 1 >= text.length() || text.charAt(wordEnd) != ' ') {
                break;
            }
            cursor = wordEnd + 1;
        }
        return last;
    }

    /**
     * Where a name in lower case starting at {@code starts[0]} ends (recording it), or -1: a known first name that
     * is no ordinary word, then particles and a known surname that is none either; or the first name alone before
     * a verb in the past tense ("hamish pasted a key").
     */
    private int lowerCase(int[] starts, int[] ends, int count) {
        if (ends[0] - starts[0] < 3) {
            return -1;
        }
        String first = lower(starts[0], ends[0]);
        if (lexicon.isCommonWord(first) || lexicon.isNotName(first)) {
            return -1;
        }
        if (speakerAtLineStart(starts[0], ends[0]) && (lexicon.isFirstName(first) || isHyphenatedName(first))) {
            findings.add(new Finding(starts[0], ends[0], PiiTypes.PERSON));
            return ends[0];
        }
        int cue = PersonNameDetector.cueBefore(text, starts[0]);
        if (!lexicon.isFirstName(first)) {
            // After a strong cue ("cardholder teodomiro barrionuevo") or in a chat introduction, two words that
            // are no ordinary words are a name even when no list knows the first.
            boolean introduced = cue >= PersonNameDetector.STRONG || introducedInChat(starts[0]);
            if (count > 1 && introduced && ends[1] - starts[1] >= 3 && isNoOrdinaryWord(lower(starts[1], ends[1]))) {
                findings.add(new Finding(starts[0], ends[1], PiiTypes.PERSON));
                return ends[1];
            }
            return lastNameFirst(first, starts, ends, count);
        }
        int k = 1;
        while (k < count - 1 && isParticle(lower(starts[k], ends[k]))) {
            k++;
        }
        if (k < count) {
            String last = lower(starts[k], ends[k]);
            boolean surname = lexicon.isLastName(last) || (ends[k] - starts[k] >= 4 && !lexicon.isFirstName(last));
            if (surname && isNoOrdinaryWord(last)) {
                findings.add(new Finding(starts[0], ends[k], PiiTypes.PERSON));
                return ends[k];
            }
        }
        boolean cued = cue >= PersonNameDetector.STRONG || (cue > 0 && count > 1
                && lexicon.isLastName(lower(starts[1], ends[1])));
        if (cued && count > 1 && ends[1] - starts[1] >= 3 && !lexicon.isCommonWord(lower(starts[1], ends[1]))) {
            findings.add(new Finding(starts[0], ends[1], PiiTypes.PERSON));
            return ends[1];
        }
        boolean verbAfter = count > 1 && lower(starts[1], ends[1]).endsWith("ed");
        if (cued || verbAfter) {
            findings.add(new Finding(starts[0], ends[0], PiiTypes.PERSON));
            return ends[0];
        }
        return -1;
    }

    /** {@code [09:12] seung-hoon: heads up}: a chat handle at the start of its line, before a colon. */
    private boolean speakerAtLineStart(int start, int end) {
        return end < text.length() && text.charAt(end) == ':'
                && (start == 0 || text.charAt(start - 1) == '\n' || afterTimeStamp(text, start));
    }

    /** Whether {@code start} follows a chat line's time stamp, {@code [09:12] }, and nothing else on its line. */
    static boolean afterTimeStamp(String text, int start) {
        if (start < 3 || text.charAt(start - 1) != ' ' || text.charAt(start - 2) != ']') {
            return false;
        }
        int lineStart = Chars.lineStart(text, start, start - SPEAKER_PREFIX - 1);
        return start - lineStart <= SPEAKER_PREFIX && text.charAt(lineStart) == '['
                && text.lastIndexOf('[', start - 2) == lineStart;
    }

    /** "seung-hoon", "jean-baptiste": parts that are no ordinary words. */
    private boolean isHyphenatedName(String word) {
        int hyphen = word.indexOf('-');
        if (hyphen < 2 || hyphen > word.length() - 3) {
            return false;
        }
        String head = word.substring(0, hyphen);
        String tail = word.substring(hyphen + 1);
        return !lexicon.isCommonWord(head) && !lexicon.isCommonWord(tail) && tail.indexOf('-') < 0;
    }

    /** "hi its jorrit hoogendoorn here", "my name is ...": how people introduce themselves in a chat. */
    private boolean introducedInChat(int start) {
        int end = start - 1;
        if (end < 2 || text.charAt(end) != ' ') {
            return false;
        }
        int wordStart = end;
        while (wordStart > 0 && (isLowerLetter(text.charAt(wordStart - 1)) || text.charAt(wordStart - 1) == '\''
                || text.charAt(wordStart - 1) == '’')) {
            wordStart--;
        }
        if (wordStart == end && end > 1 && text.charAt(end - 1) == ':') {
            // A speaker's turn in a chat log: "cliente: ermenegildo malatesta".
            int labelStart = end - 1;
            while (labelStart > 0 && Chars.isLetter(text.charAt(labelStart - 1))) {
                labelStart--;
            }
            return PersonNameDetector.isLabel(text.substring(labelStart, end - 1).toLowerCase(Locale.ROOT));
        }
        String word = text.substring(wordStart, end).replace('’', '\'');
        return CHAT_INTRODUCTIONS.contains(word);
    }

    /** A word that is no ordinary lower-case word, though it may be a place or a famous surname. */
    private boolean isNoOrdinaryWord(String word) {
        return !lexicon.isNotName(word) && (!lexicon.isCommonWord(word) || lexicon.isProperNoun(word)
                || lexicon.isLastName(word));
    }

    /** "chen yui": a known surname, then a known first name, neither an ordinary word. */
    private int lastNameFirst(String first, int[] starts, int[] ends, int count) {
        if (count < 2 || !lexicon.isLastName(first)) {
            return -1;
        }
        String second = lower(starts[1], ends[1]);
        if (!lexicon.isFirstName(second) || lexicon.isCommonWord(second) || lexicon.isNotName(second)) {
            return -1;
        }
        findings.add(new Finding(starts[0], ends[1], PiiTypes.PERSON));
        return ends[1];
    }

    private static boolean isParticle(String word) {
        return word.equals("de") || word.equals("la") || word.equals("le") || word.equals("van") || word.equals("der")
                || word.equals("von") || word.equals("del") || word.equals("di") || word.equals("da")
                || word.equals("los") || word.equals("ó") || word.equals("mac") || word.equals("den");
    }

    /** A common Chinese surname and one or two more characters right after a word such as 客户 ("customer"). */
    private void chinese() {
        for (String cue : CHINESE_CUES) {
            for (int at = text.indexOf(cue); at >= 0; at = text.indexOf(cue, at + 1)) {
                int start = at + cue.length();
                while (start < text.length() && (text.charAt(start) == ':' || text.charAt(start) == '：'
                        || text.charAt(start) == ' ')) {
                    start++;
                }
                if (start + 2 > text.length() || CHINESE_SURNAMES.indexOf(text.charAt(start)) < 0
                        || !isHan(text.charAt(start + 1))) {
                    continue;
                }
                int end = start + 2;
                if (end < text.length() && isHan(text.charAt(end)) && CHINESE_STOPS.indexOf(text.charAt(end)) < 0
                        && (end + 1 >= text.length() || !isHan(text.charAt(end + 1))
                        || CHINESE_STOPS.indexOf(text.charAt(end + 1)) >= 0)) {
                    end++;
                }
                findings.add(new Finding(start, end, PiiTypes.PERSON));
            }
        }
    }

    private static boolean isHan(char c) {
        return c >= 0x4E00 && c <= 0x9FFF;
    }

    /** Whether a label names a person. */
    static boolean isNameLabel(String label) {
        String normalised = label.replace('-', '_').trim();
        int open = Math.max(normalised.lastIndexOf('('), normalised.lastIndexOf('['));
        if (open >= 0 && open + 1 < normalised.length()) {
            normalised = normalised.substring(open + 1);
        }
        if (NAME_LABELS.contains(normalised)) {
            return true;
        }
        int cut = Math.max(normalised.lastIndexOf('.'), normalised.lastIndexOf(' '));
        String last = cut >= 0 ? normalised.substring(cut + 1) : normalised;
        if (NAME_LABELS.contains(last)) {
            return true;
        }
        // holder_name, card_holder_name, "Account holder name": a name of someone, not of a file or a product.
        String words = last.replace('_', ' ');
        int name = words.lastIndexOf(" name");
        return name > 0 && name + 5 == words.length()
                && NAME_LABELS.contains(words.substring(words.lastIndexOf(' ', name - 1) + 1, name));
    }

    /**
     * Whether a labelled value reads as a person's name in any case or script: one to six words of letters
     * (apostrophes, hyphens, initials, HL7 {@code ^} between parts, one comma for "Last, First"), not all of them
     * ordinary words.
     */
    static boolean readsAsName(NameLexicon lexicon, String text, int start, int end) {
        if (end - start > MAX_NAME_VALUE || end - start < 2) {
            return false;
        }
        int words = 0;
        int ordinary = 0;
        int commas = 0;
        int i = start;
        while (i < end) {
            char c = text.charAt(i);
            if (Chars.isLetter(c)) {
                int wordEnd = i;
                while (wordEnd < end && (Chars.isLetter(text.charAt(wordEnd))
                        || Character.getType(text.charAt(wordEnd)) == Character.NON_SPACING_MARK
                        || text.charAt(wordEnd) == '\'' || text.charAt(wordEnd) == '’'
                        || text.charAt(wordEnd) == '-')) {
                    wordEnd++;
                }
                String word = text.substring(i, wordEnd).toLowerCase(Locale.ROOT);
                words++;
                if (lexicon.isNotName(word) || (lexicon.isCommonWord(word) && !lexicon.isFirstName(word)
                        && !lexicon.isLastName(word))) {
                    ordinary++;
                }
                i = wordEnd;
            } else if (c == ',') {
                commas++;
                i++;
            } else if (c == ' ' || c == '.' || c == '^') {
                i++;
            } else {
                return false;
            }
        }
        return words >= 1 && words <= 6 && commas <= 1 && ordinary < words && ordinary <= words / 2;
    }

    /** Whether the capitalised words end in a noun that makes them a place or a thing ("Chelsea Harbour"). */
    static boolean isNotPersonNoun(String text, int lastWordStart, int end) {
        return NOT_PERSON_NOUNS.contains(text.substring(lastWordStart, end).toLowerCase(Locale.ROOT));
    }

    /** Whether the word after a name makes it an eponym: "Monte Carlo simulation", "Huntington's disease". */
    static boolean followedByNotPersonNoun(String text, int end) {
        int i = end;
        if (i + 1 < text.length() && (text.charAt(i) == '\'' || text.charAt(i) == '’') && text.charAt(i + 1) == 's') {
            i += 2;
        }
        if (i >= text.length() || text.charAt(i) != ' ') {
            return false;
        }
        i++;
        int wordEnd = i;
        while (wordEnd < text.length() && Chars.isLetter(text.charAt(wordEnd))) {
            wordEnd++;
        }
        return wordEnd > i && NOT_PERSON_NOUNS.contains(text.substring(i, wordEnd).toLowerCase(Locale.ROOT));
    }

    private static final Set<String> COMMERCE_VERBS = Set.of("shares", "stock", "stores", "store", "boutique",
            "boutiques", "rose", "fell", "slipped", "gained", "dropped", "outlets", "collection", "collections");
    private static final Set<String> RESULTS = Set.of("results", "earnings", "revenue", "revenues", "profit",
            "profits", "sales", "losses", "growth");

    /**
     * Whether what follows a name makes it a company in market or retail news: "Anne Klein shares", "Tom Ford and
     * Paul Mitchell reported results", "Calvin Klein rose".
     */
    static boolean inCommerceContext(String text, int end) {
        int i = end;
        if (i + 1 < text.length() && (text.charAt(i) == '\'' || text.charAt(i) == '’') && text.charAt(i + 1) == 's') {
            i += 2;
        }
        if (text.startsWith(" and ", i) || text.startsWith(", ", i) || text.startsWith(" & ", i)) {
            i = text.indexOf(' ', i + 1) + 1;
            for (int words = 0; words < 5 && i > 0 && i < text.length(); words++) {
                int wordEnd = wordEnd(text, i);
                String word = text.substring(i, wordEnd);
                if (wordEnd == i || !(Character.isUpperCase(text.charAt(i)) || word.equals("de") || word.equals("la")
                        || word.equals("van") || word.equals("von"))) {
                    break;
                }
                i = wordEnd < text.length() && text.charAt(wordEnd) == ' ' ? wordEnd + 1 : wordEnd;
            }
        } else if (i < text.length() && text.charAt(i) == ' ') {
            i++;
        } else {
            return false;
        }
        int wordEnd = wordEnd(text, i);
        String word = text.substring(i, wordEnd).toLowerCase(Locale.ROOT);
        if (COMMERCE_VERBS.contains(word)) {
            return true;
        }
        if ((word.equals("reported") || word.equals("posted") || word.equals("announced")) && wordEnd + 1 < text.length()) {
            int next = wordEnd(text, wordEnd + 1);
            return RESULTS.contains(text.substring(wordEnd + 1, next).toLowerCase(Locale.ROOT));
        }
        return false;
    }

    private String lower(int start, int end) {
        return text.substring(start, end).toLowerCase(Locale.ROOT);
    }

    private boolean sameCase(int start, int end, boolean caps) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (Chars.isLetter(c) && (caps ? !isCaps(c) : !isLowerLetter(c))) {
                return false;
            }
        }
        return true;
    }

    /** A word of letters with inner apostrophes and hyphens ({@code O'DONOGHUE}, {@code KARL-HEINZ}). */
    private static int wordEnd(String text, int start) {
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Chars.isLetter(c)) {
                i++;
            } else if ((c == '\'' || c == '’' || c == '-') && i + 1 < text.length()
                    && Chars.isLetter(text.charAt(i + 1)) && i > start) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private static boolean isWordChar(char c) {
        return Chars.isLetterOrDigit(c) || c == '_' || c == '@' || c == '.' || c == '/' || c == '-'
                || c == '\'' || c == '\\';
    }

    private static boolean isCaps(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 0x80 && Character.isUpperCase(c));
    }

    private static boolean isLowerLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 0x80 && Character.isLowerCase(c));
    }
}
