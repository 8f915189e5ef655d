package dev.veil.plugins.pii.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Names and sentence templates that are not in the labelled corpus, from many cultures, and ordinary text full of
 * capitalised words that are not names. In the name cases each name is written between {@code [} and {@code ]}: the
 * detector must report exactly those spans.
 */
class PersonNameDetectorTest {
    private final PersonNameDetector detector = new PersonNameDetector();

    @ParameterizedTest
    @ValueSource(strings = {
            "Dear [Ngozi Adeyemi], thank you for your patience.",
            "Please forward the contract to [Siobhán O'Connor] before Friday.",
            "[Jean-Luc Moreau] will join the call at 3pm.",
            "The account belongs to [Pieter van der Berg] since 2019.",
            "cc: [Thandiwe Nkosi], [Björn Lindqvist]",
            "Best regards,\n[Oluwaseun Bakare]\nHead of Procurement",
            "{\"full_name\": \"[Aroha Ngata]\", \"plan\": \"Pro\"}",
            "{\"contact\": \"[Keanu Kahananui]\", \"tier\": \"Gold\"}",
            "Meeting notes: [Kwame Mensah] asked about the invoice.",
            "Sehr geehrte Frau [Zeynep Yılmaz], vielen Dank für Ihre Nachricht.",
            "Je m'appelle [Amélie Rousseau] et j'habite à Lyon.",
            "My name is [Siddharth Iyer] and I work at Initech.",
            "Can you draft a reply to Mr. [Haruto Sato] about the delay?",
            "Ich heiße [Jürgen Weißmüller] und brauche Hilfe.",
            "Signed: [María José García López]",
            "Patient [Gabriela Souza], DOB 1984-03-12, reports chest pain.",
            "Hi [Priya], can you review the PR?",
            "Thanks, [Mateus]",
            "The ticket was assigned to [Lars Eriksson] yesterday.",
            "Contact: [Chiamaka Eze] (chiamaka.eze@example.org)",
            "Please ask Dr. [Nakamura] to sign the form.",
            "[John F. Kennedy] spoke in Berlin.",
            "Bonjour Mme [Lefèbvre], votre commande est prête.",
            "[Anna-Lena Hoffmann] hat die Rechnung bezahlt.",
            "Translate this email from [Dmitri Volkov] into Spanish.",
            "Escalated by [Fatima Al Hashimi] and [Ravi Shankar Menon] on the same day.",
    })
    void findsNamesOfManyCulturesInUnseenTemplates(String marked) {
        String text = marked.replace("[", "").replace("]", "");

        assertThat(detect(text)).containsExactlyInAnyOrderElementsOf(expectedSpans(marked));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Regards, [Jasper Trevelyan] (Payroll Team)",
            "Attendees: [C.G. Dijkstra] and the legal lead.",
            "Sehr geehrte Frau [Wiesenthal],\nIhre Karte ist unterwegs.",
            "Approvals pending: [LOXLEY, Ambrose] (card ending 3359).",
            "09:31 guest: hi its [jorrit hoogendoorn] here, i cant log in",
            "Re: [Kaveri Raghunathan], born 3 May 1960, NHS 943 476 5919",
            "Notes: the deck is ready; [Crispin] owns follow-ups.",
            "Die Kundin [Ortrud Wiesenthal] (geb. 01.02.1960) hat angerufen.",
            "Yours sincerely,\n[Marigold Aldridge]",
            "Заявитель: [Ольга Лебедева], тел. +7 912 345-67-89",
            "operatore: e il suo nome?\ncliente: [ermenegildo malatesta]\noperatore: grazie",
            "Set up direct deposit for [Oaklynn Vandermeer] from March.",
            "Applicant 1: [TUCKER WHITEHORSE] (born 1980)",
            "Present: [A L Whitlock] (chair) and the board.",
            "Thanks, I have updated the mandate.\n\n[Kaylee]\nHead of Collections",
            "Gentile Sig.ra [Spadafora],\nin allegato il referto.",
            "CDD remediation\nCustomer [ZIEMOWIT CHRZĄSZCZ] provided his PESEL.",
            "Teams export\n[Qasim, Khalid] 16/01/2026 Client's mobile is",
            "channel export\n[seung-hoon]: heads up, the card was blocked",
            "Пацієнтка [Богдана Кравець] звернулася",
            "Mit kollegialen Grüßen\nDr. med. [Ortwin Lauterbach], Oberarzt",
            "Dear Mr [Ní Mhurchú],\n\nFollowing your call",
            "Applicant 1: [Mirzaei, Dariush], date of birth 01/02/1970",
            "User: hey its [Wairimu Tesfaye] and i lost my card",
    })
    void findsSurnamesTheDictionaryKnowsAndNamesByTheWordsAroundThem(String marked) {
        String text = marked.replace("[", "").replace("]", "");

        assertThat(covered(detect(text))).containsExactlyElementsOf(expectedSpans(marked));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Please update the README before Monday.",
            "Customer Service will reply within two business days.",
            "We are opening an office in New York and San Francisco in March.",
            "OpenAI and Anthropic both released new models; Google Gemini is next.",
            "The Visual Studio Code extension crashes on Windows 11.",
            "Order ORD-2024-55123 shipped via DHL Express on Tuesday.",
            "Thank you for contacting Acme Support. Your ticket JIRA-4411 is open.",
            "Version v2.3.1 of Apache Kafka fixes the Consumer Group bug.",
            "Happy New Year from the whole Marketing Team!",
            "I'm Italian and I live in Buenos Aires.",
            "The Eiffel Tower and the Golden Gate Bridge are on the list.",
            "Release Notes: Bug Fixes and Performance Improvements.",
            "Hello World! This is a Python tutorial.",
            "Use Spring Boot with Hibernate and PostgreSQL.",
            "The Board of Directors approved the Annual Report.",
            "Guten Tag, die Bestellung ist unterwegs. Mit freundlichen Grüßen, Ihr Kundenservice",
            "Bonjour, votre Facture est disponible dans votre Espace Client.",
            "Click Save, then Export to PDF.",
            "Amazon Web Services charges per GB-month in US East.",
            "The Supreme Court ruled on Thursday.",
            "Dear Customer, your Invoice INV-2291 is attached.",
            "Hi Team, the Q3 Roadmap is in Confluence.",
            "public class OrderService { private final PaymentGateway gateway; }",
            "Set MAX_RETRIES=5 and restart the Worker Pool at 2024-05-01T10:00Z.",
            "Thanks for the Pull Request; CI is green on Ubuntu 22.04.",
            "The contract with Deutsche Bank AG runs until December 2026.",
            "Dijkstra's algorithm beats Bellman-Ford on this graph.",
            "The Dortmund office opens on Monday; I'm Italian.",
            "Approvals pending for the Fort Lauderdale branch refit.",
            "Referred for Morbus Addison and Bell's palsy; Dow Jones fell.",
            "Please contact Technical Support at Microsoft Azure.",
    })
    void leavesCapitalisedNonNamesAlone(String text) {
        assertThat(detect(text)).isEmpty();
    }

    /** How fast it scans such a prompt is measured by JMH: {@code bench/micro pii-redaction}. */
    @Test
    void findsTheOneNameInAnOrdinaryPromptFullOfCapitalisedWords() {
        String prompt = """
                Please summarise the following meeting notes for the Product Review on Tuesday. The team discussed \
                the new onboarding flow, the pricing page and the migration to Kubernetes. Customer Service reported \
                that refunds take too long, and Maria Brown from Finance asked for a weekly report. We agreed to ship \
                the first version in March, after the security review. Can you also draft an email to the customer \
                in New York explaining the delay? Keep it short, friendly and professional, and mention that version \
                2.4 fixes the export bug. Thanks!
                """;

        assertThat(detect(prompt)).containsExactly(new Finding(prompt.indexOf("Maria"),
                prompt.indexOf(" from Finance"), PiiTypes.PERSON));
    }

    private List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        detector.detect(text, findings);
        return findings;
    }

    /** The spans the findings cover, overlapping ones joined, as the scanner resolves them. */
    private static List<Finding> covered(List<Finding> findings) {
        List<Finding> sorted = new ArrayList<>(findings);
        sorted.sort(java.util.Comparator.comparingInt(Finding::start));
        List<Finding> spans = new ArrayList<>();
        for (Finding finding : sorted) {
            Finding previous = spans.isEmpty() ? null : spans.get(spans.size() - 1);
            if (previous != null && finding.start() < previous.end()) {
                spans.set(spans.size() - 1, new Finding(previous.start(), Math.max(previous.end(), finding.end()),
                        PiiTypes.PERSON));
            } else {
                spans.add(finding);
            }
        }
        return spans;
    }

    private static List<Finding> expectedSpans(String marked) {
        List<Finding> spans = new ArrayList<>();
        int removed = 0;
        int start = -1;
        for (int i = 0; i < marked.length(); i++) {
            char c = marked.charAt(i);
            if (c == '[') {
                start = i - removed;
                removed++;
            } else if (c == ']') {
                spans.add(new Finding(start, i - removed, PiiTypes.PERSON));
                removed++;
            }
        }
        return spans;
    }
}
