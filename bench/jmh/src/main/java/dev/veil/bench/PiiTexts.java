package dev.veil.bench;

/**
 * Prompts for the redaction benchmarks: ordinary work prose with the look-alikes real prompts carry (versions,
 * dates, ids, prices, host:port) but no personal data, and PII-dense support tickets.
 */
final class PiiTexts {
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

    private static String repeat(String text, int size) {
        StringBuilder out = new StringBuilder(size + text.length());
        while (out.length() < size) {
            out.append(text);
        }
        return out.substring(0, size);
    }
}
