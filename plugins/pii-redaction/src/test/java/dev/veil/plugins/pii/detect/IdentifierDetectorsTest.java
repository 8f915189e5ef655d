package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The national, medical and bank identifiers, birth dates and postal addresses: each found in the forms people write
 * it, and its look-alikes (a broken check digit, no naming word, another date) left alone. The value in brackets is
 * the span that must be found exactly.
 */
class IdentifierDetectorsTest {
    private final NationalIdDetector nationalIds = new NationalIdDetector();
    private final MedicalRecordDetector medicalRecords = new MedicalRecordDetector();
    private final BankAccountDetector bankAccounts = new BankAccountDetector();
    private final DateOfBirthDetector birthDates = new DateOfBirthDetector();
    private final PostalAddressDetector addresses = new PostalAddressDetector();

    @ParameterizedTest
    @ValueSource(strings = {"NIR [1 63 07 26 729 299 03] on file", "numéro [209012968838772], demeurant",
        "DNI: [98056616A]", "DNI [83906179-V] vigente", "NIE [X6748975Q].", "NIE [Z-7662912-F]",
        "codice fiscale [CNTFNC64D45L736S] risulta", "NI number [ZT722970D]", "NINO [HX 14 66 07 B] for",
        "Steuer-ID [54 843 974 163] ist", "\"steuer_id\": \"[19923847050]\"", "PESEL: [60040456120]",
        "mijn BSN is [187706025] en", "BSN [5836.66.498]", "personnummer [601109-3769], ringde",
        "passport_no: [C45420292]", "| Passport | [313512418] |"})
    void findsNationalIdentifiers(String marked) {
        assertFindsExactly(nationalIds, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NIR 2 53 04 60 437 862 87 is broken", "DNI 17782495X", "CF BRNMRT41E12B157V",
        "personnummer 680714-4387", "NIE X1567030M", "Steuer-ID 24905132729", "order 187706025 shipped",
        "BSN 5141.54.712", "PESEL 82111750329", "invoice 313512418"})
    void leavesBrokenAndUnnamedNumbersAlone(String text) {
        assertThat(Spans.found(nationalIds, text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"NHS [7440375327], MRN", "My NHS number is [651 456 8440] in case",
        "KVNR [Y070639193]. Verdacht", "MRN [H8902520]. NOK", "Medicare MBI [6DM8WK5QQ56], DOB",
        "MBI [5FW3-UH9-XQ98]", "mrn,patient,dob\n[RX483098],SABINE SCHÄFER,1981-01-03",
        "PID|1||[585-9976-5]^^^STJ^MR||VOGT", "MRN: [H822233/15]\nDOB",
        "insert into p (mrn, ward, bed) values\n  ('[H912008/13]', 'B2', 4),\n  ('[H873923/49]', 'B3', 1);",
        "患者王芳，病历号[K9260742]。"})
    void findsMedicalRecordNumbers(String marked) {
        assertFindsExactly(medicalRecords, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NHS 6143224191 is invalid", "call 7440375327 now", "KVNR V201133704",
        "dossier JIRA-57787", "ticket INC7698930 closed"})
    void leavesOtherNumbersAsMedicalRecords(String text) {
        assertThat(Spans.found(medicalRecords, text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sort code and account [68-06-39 66833997], reference",
        "pay Reza at [11-00-57 / 87103448]; ref", "checking account [206477163]. Payroll",
        "(Kto.-Nr. [1317236993], BLZ", "Ashworth|399-20-5070|[587918908958]|104988316|€26"})
    void findsBankAccounts(String marked) {
        assertFindsExactly(bankAccounts, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"routing number 324320495 only", "sort code 66-82-37 alone", "batch 4500019834",
        "INVALID_ROUTING = '024601981'"})
    void leavesRoutingNumbersSortCodesAndBatchesAlone(String text) {
        assertThat(Spans.found(bankAccounts, text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"born [16 April 1967].", "DOB [03/13/1940]. Prior auth", "geb. [10.03.1946], KVNR",
        "né le [4 janvier 2009], numéro", "nato il [18 aprile 1977], residente", "Fecha de nacimiento: [24/04/1981]",
        "date of birth as [January 17, 1959] and", "\"dob\": \"[1948-03-18]\"", "| Date of birth | [02-Oct-1995] |",
        "and date of birth?\n09:15 caller: sure its anaïs morel, [15/11/1976]", "PID|1||X||DOE^JANE||[19781010]|F",
        "bot: please confirm your date of birth\nuser: [September 13, 1997]", "Ich bin am [4. November 1950] geboren.",
        "患者王芳，出生日期[1972-07-26]，复诊日期2022-01-15", "Data urodzenia: [3 lipca 2004]\nTelefon",
        "Пациент, дата рождения [27.11.1958]. Диагноз"})
    void findsBirthDates(String marked) {
        assertFindsExactly(birthDates, marked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"start date 01/28/2026", "approved 09/05/2023", "DOB 03/13/1940. Prior auth approved"
        + " 09/05/2023", "release 2024-10-06", "Generated 25-Nov-2023", "timestamp 20241225132457"})
    void leavesOtherDatesAlone(String text) {
        assertThat(Spans.found(birthDates, text)).doesNotContain("01/28/2026", "09/05/2023", "2024-10-06",
                "25-Nov-2023", "20241225");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "The old address, [70 Queen's Road, Manchester M16 2GA], is no longer valid.",
        "sent to [Flat 1, 31B Queen's Road, Norwich NR18 7GX] never arrived",
        "\"address\": \"[5893 Elmwood Avenue, Denver, CO 80269]\"",
        "neue Anschrift [Kirchweg 138, 04191 Leipzig] sowie",
        "demeurant [157, rue des Lilas, 31000 Toulouse], sollicite",
        "Domicilio: [Calle Real, 149, 2º I, 28015 Madrid]",
        "residente in [Viale Monza 41, 10130 Torino (TO)], chiede",
        "ik woon op [Molenweg 23, 2343 JJ Leiden]",
        "wohnt in der [Am Stadtpark 138, 50667 Köln].",
        "lives at [177 Primrose Hill Road, Leicester LE3 2NX] since May",
        "\"homeAddress\": \"[716 Hickory Hollow, Reno, NV 62978]\"",
        "Anschrift [Hauptstraße 73, 79098 Freiburg im Breisgau], Mobil",
        "lives at [9361 Catalpa Avenue #14, Chattanooga, TN 37460] now",
        "nieuwe adres [Turfmarkt 9 bis, 6222 AG Maastricht] zijn verwerkt",
        "nieuwe adres [Vlasakker 223, 4878 DN Breda] zijn verwerkt"})
    void findsPostalAddresses(String marked) {
        assertFindsExactly(addresses, marked);
    }

    @Test
    void findsAnAddressWhoseCityAndZipAreOnTheNextLine() {
        assertFindsExactly(addresses, "Address: [15876 Persimmon Street\nAnchorage, AK 99552]\nPhone: 555");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a trip to Lincoln, Nebraska", "Queen's Road is closed", "5 failed logins from the app",
        "46 534 058 EUR invoiced", "Our teams in Charlotte, North Carolina moved"})
    void leavesPlacesAndNumbersWithoutAStreetAlone(String text) {
        assertThat(Spans.found(addresses, text)).isEmpty();
    }

    private static void assertFindsExactly(Detector detector, String marked) {
        int open = marked.indexOf('[');
        int close = marked.indexOf(']');
        String value = marked.substring(open + 1, close);
        String text = marked.substring(0, open) + value + marked.substring(close + 1);
        assertThat(Spans.found(detector, text)).as(marked).contains(value);
    }
}
