package dev.veil.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Prompts for the redaction benchmarks: ordinary work prose with the look-alikes real prompts carry (versions,
 * dates, ids, prices, host:port) but no personal data, everyday questions cut into prompts, meeting notes with one
 * name among many capitalised words, and PII-dense support tickets.
 */
final class PiiTexts {
    /** The size of each of {@link #questionPrompts()}, give or take the rest of a word. */
    static final int QUESTION_PROMPT_CHARS = 2_000;

    private static final String[] QUESTIONS = {
        "Can you explain why my React component re-renders twice when the state changes? ",
        "I am running Node v20.11.1 on macOS 14.4 and the build takes about 45 seconds. ",
        "Please summarise the following meeting notes in three bullet points for the team. ",
        "The quarterly revenue grew by 12% compared with last year, mostly thanks to Europe. ",
        "Write a haiku about autumn leaves falling on a quiet lake at dawn. ",
        "Here is the stack trace: at com.example.Service.handle(Service.java:142) caused by a null value. ",
        "We scheduled the release for March 15, and the retrospective is at 10:30 on Friday. ",
        "Translate this paragraph into French, keeping the tone friendly but professional. ",
        "What is the difference between a mutex and a semaphore in operating systems? ",
        "The function returns a map from user id to score (see section 4.2 of the spec). ",
        "Refactor this loop so it uses streams instead of an explicit iterator, please. ",
        "Our team of 8 engineers shipped 3 features in the last sprint; velocity was 34 points. ",
    };

    /** An ordinary English prompt: one name (Maria Brown) among capitalised words that are not names. */
    static final String MEETING_NOTES = """
            Please summarise the following meeting notes for the Product Review on Tuesday. The team discussed the \
            new onboarding flow, the pricing page and the migration to Kubernetes. Customer Service reported that \
            refunds take too long, and Maria Brown from Finance asked for a weekly report. We agreed to ship the \
            first version in March, after the security review. Can you also draft an email to the customer in New \
            York explaining the delay? Keep it short, friendly and professional, and mention that version 2.4 fixes \
            the export bug. Thanks!
            """;

    private static final String PROSE = """
            We are migrating the billing service from version 3.4.1 to 4.0.0 and I need a plan for the rollout. The \
            current deployment runs on Kubernetes 1.29 with three replicas behind an ingress at api.internal:8443, \
            and the database is PostgreSQL 16 with about 40 GB of data. Last quarter we processed 1,284,220 orders \
            with an average value of $84.20, and the peak was on 2024-11-29 at roughly 2,300 requests per second. \
            The main risks are the schema change on the invoices table (adding a nullable column and backfilling it \
            in batches of 10,000 rows), the new retry policy for the payment gateway, and the switch from cron jobs \
            to a queue. Please write a step-by-step plan with checkpoints, a rollback procedure for each step, and \
            the metrics we should watch during the canary phase. Also explain how to keep the old and the new \
            versions compatible while both are running, in particular for messages already on the queue. Our team \
            follows trunk-based development, commits like 3f9a1c2 are deployed automatically after review, and \
            ticket OPS-4821 tracks the work. The SLO is 99.9% availability with p99 latency under 300 ms. Keep the \
            answer concise but complete, use headings, and include a short checklist at the end. If something in \
            the plan depends on assumptions, say which ones and how to verify them before we start on Monday.
            """;

    private static final String DENSE = """
            Ticket from Maria Keller (maria.keller@example.com, +49 30 901820) about card 4539 8997 2074 3225: \
            charged twice on order ORD-2024-88812. Please refund to IBAN DE89 3704 0044 0532 0130 00. \
            Second contact: Jean Dupont, jean.dupont@example.fr, 06 12 34 56 78, card 5425-4994-5206-7838. \
            Customer Aisha Khan called from 415-555-0132 regarding SSN 123-45-6789 on the W-9 form; login from \
            81.2.69.160. Dear Tomasz Nowak, your Amex 378239763598743 and IBAN NL91ABNA0417164300 are on file. \
            """;

    private PiiTexts() {
    }

    /** About {@code size} characters of prose without personal data. */
    static String prose(int size) {
        return repeat(PROSE, size);
    }

    /** About {@code size} characters of support tickets full of personal data. */
    static String dense(int size) {
        return repeat(DENSE, size);
    }

    /**
     * About {@code size} characters of everyday questions without personal data, cut into prompts of
     * {@value #QUESTION_PROMPT_CHARS} characters at the next space, as requests bring them.
     */
    static List<String> questionPrompts(int size) {
        String text = repeat(String.join("", QUESTIONS), size + QUESTION_PROMPT_CHARS);
        List<String> prompts = new ArrayList<>();
        for (int start = 0; start < size; ) {
            int space = text.indexOf(' ', start + QUESTION_PROMPT_CHARS);
            int end = space < 0 ? text.length() : space;
            prompts.add(text.substring(start, end));
            start = end;
        }
        return prompts;
    }

    private static String repeat(String text, int size) {
        StringBuilder out = new StringBuilder(size + text.length());
        while (out.length() < size) {
            out.append(text);
        }
        return out.substring(0, size);
    }
}
