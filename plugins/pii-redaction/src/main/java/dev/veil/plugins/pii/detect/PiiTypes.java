package dev.veil.plugins.pii.detect;

import java.util.List;

/** The PII types the built-in detectors report. Custom detectors add their own, in the same upper-case style. */
public final class PiiTypes {
    public static final String EMAIL = "EMAIL";
    public static final String PHONE = "PHONE";
    public static final String CREDIT_CARD = "CREDIT_CARD";
    public static final String IBAN = "IBAN";
    public static final String US_SSN = "US_SSN";
    public static final String IP_ADDRESS = "IP_ADDRESS";
    public static final String SECRET = "SECRET";
    public static final String PERSON = "PERSON";
    public static final String NATIONAL_ID = "NATIONAL_ID";
    public static final String MEDICAL_RECORD = "MEDICAL_RECORD";
    public static final String BANK_ACCOUNT = "BANK_ACCOUNT";
    public static final String POSTAL_ADDRESS = "POSTAL_ADDRESS";
    public static final String DATE_OF_BIRTH = "DATE_OF_BIRTH";

    /** Every built-in type. */
    public static final List<String> BUILT_IN = List.of(EMAIL, PHONE, CREDIT_CARD, IBAN, US_SSN, IP_ADDRESS, SECRET,
            PERSON, NATIONAL_ID, MEDICAL_RECORD, BANK_ACCOUNT, POSTAL_ADDRESS, DATE_OF_BIRTH);

    private PiiTypes() {
    }
}
