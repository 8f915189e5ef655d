package dev.veil.plugins.pii.detect;

import java.util.List;

/**
 * Finds medical record and health insurance numbers ({@link PiiTypes#MEDICAL_RECORD}): NHS numbers (modulus 11)
 * where "NHS" names them, German KVNR (check digit) anywhere, US Medicare MBIs (their fixed shape) where
 * "Medicare" or "MBI" names them, and hospital record numbers, which follow no standard, only right after an
 * {@code MRN}-like label or under such a column or key (HL7 {@code PID-3} included).
 */
public final class MedicalRecordDetector implements Detector {
    private static final int WINDOW = 40;
    private static final int LABEL_GAP = 14;
    private static final int MIN_RECORD_LENGTH = 5;
    private static final int MAX_RECORD_LENGTH = 14;

    private static final Keywords NHS = new Keywords("nhs", "chi number", "health and care number");
    private static final Keywords MEDICARE = new Keywords("mbi", "medicare");
    private static final Keywords RECORD = new Keywords("mrn", "medical record", "patient id", "patient_id",
            "patientid", "patient no", "patient number", "hospital number", "hospital no", "record number",
            "record no", "chart no", "chart number", "patientennummer", "fallnummer", "aktenzeichen",
            "historia clínica", "historia clinica", "cartella", "patiëntnummer", "member id", "member_id", "病历号",
            "病历");

    @Override
    public void detect(String text, List<Finding> findings) {
        int done = 0;
        for (int digits : DigitRuns.of(text)) {
            int start = DigitRuns.wordStart(text, digits);
            if (start < done || Chars.attachedBefore(text, start)) {
                continue;
            }
            int end = at(text, start);
            if (end > 0) {
                findings.add(new Finding(start, end, PiiTypes.MEDICAL_RECORD));
                done = end;
            }
        }
    }

    private static int at(String text, int start) {
        int end = start;
        while (end < text.length() && Chars.isAsciiAlnum(text.charAt(end))) {
            end++;
        }
        // A KVNR has ten characters and an MBI eleven; most tokens have neither length and are not copied.
        if ((end - start == 10 || end - start == 11) && !Chars.attachedAfter(text, end)) {
            String token = text.substring(start, end);
            if (IdNumbers.kvnr(token) || (IdNumbers.mbi(token) && MEDICARE.cue(text, start, end, WINDOW))) {
                return end;
            }
        }
        int dashedEnd = start + 13;
        if (dashedEnd <= text.length() && text.charAt(start + 4) == '-' && text.charAt(start + 8) == '-'
                && !Chars.attachedAfter(text, dashedEnd) && IdNumbers.mbi(text.substring(start, start + 4)
                + text.substring(start + 5, start + 8) + text.substring(start + 9, dashedEnd))
                && MEDICARE.cue(text, start, dashedEnd, WINDOW)) {
            return dashedEnd;
        }
        int nhsEnd = nhsNumberEnd(text, start);
        if (nhsEnd > 0 && NHS.cue(text, start, nhsEnd, WINDOW)) {
            return nhsEnd;
        }
        int recordEnd = recordEnd(text, start);
        if (recordEnd > 0 && (RECORD.in(Keywords.before(text, start, LABEL_GAP))
                || RECORD.in(Fields.labelOf(text, start, recordEnd)))) {
            return recordEnd;
        }
        return -1;
    }

    /** Ten digits, undivided or as {@code 3-3-4} with spaces or dashes, passing the NHS check; where they end. */
    private static int nhsNumberEnd(String text, int start) {
        int i = start;
        int digits = 0;
        while (i < text.length() && digits < 10) {
            char c = text.charAt(i);
            if (Chars.isDigit(c)) {
                digits++;
                i++;
            } else if ((c == ' ' || c == '-') && (digits == 3 || digits == 6)
                    && i + 1 < text.length() && Chars.isDigit(text.charAt(i + 1))) {
                i++;
            } else {
                break;
            }
        }
        return digits == 10 && !Chars.attachedAfter(text, i) && IdNumbers.nhs(IdNumbers.digitsIn(text, start, i))
                ? i : -1;
    }

    /**
     * A record number: letters, digits and inner dashes or slashes ({@code H912008/13}), with at least four digits
     * and no date shape; where it ends, or -1.
     */
    private static int recordEnd(String text, int start) {
        int i = start;
        int digits = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Chars.isDigit(c)) {
                digits++;
                i++;
            } else if (Chars.isAsciiLetter(c)) {
                i++;
            } else if ((c == '-' || c == '/') && i + 1 < text.length() && Chars.isAsciiAlnum(text.charAt(i + 1))) {
                i++;
            } else {
                break;
            }
        }
        int length = i - start;
        if (digits < 4 || length < MIN_RECORD_LENGTH || length > MAX_RECORD_LENGTH || Chars.attachedAfter(text, i)
                || Dates.end(text, start) == i) {
            return -1;
        }
        return i;
    }
}
