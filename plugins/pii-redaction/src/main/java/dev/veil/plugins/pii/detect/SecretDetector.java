package dev.veil.plugins.pii.detect;

import java.util.List;

/**
 * Finds credentials by their issuers' published prefixes: OpenAI and Anthropic keys, AWS access key ids, GitHub,
 * Slack and Stripe tokens, Google API keys, JWTs and PEM private keys. Every rule is anchored on a literal prefix, so
 * a text costs one {@code indexOf} per prefix and the token grammar is only checked where a prefix occurs. A
 * credential leaked to a provider cannot be recalled, hence no length or entropy guessing beyond what the issuers
 * document, and PEM blocks are taken whole even when their newlines arrive as JSON {@code \n} escapes.
 */
public final class SecretDetector implements Detector {
    /** Where the token starting at a prefix ends, or -1 when what follows the prefix is not such a token. */
    @FunctionalInterface
    private interface Body {
        int end(String text, int bodyStart);
    }

    private record Rule(String prefix, Body body) {
    }

    private static final String PEM_BEGIN = "-----BEGIN ";
    private static final String PEM_END = "-----END ";
    private static final String PEM_DASHES = "-----";
    private static final String PRIVATE_KEY = "PRIVATE KEY";
    private static final int PEM_LABEL_MAX = 40;

    private static final List<Rule> RULES = List.of(
            new Rule("sk-", SecretDetector::openAiOrAnthropic),
            new Rule("AKIA", (text, at) -> exactly(text, at, 16, SecretDetector::isUpperOrDigit)),
            new Rule("ASIA", (text, at) -> exactly(text, at, 16, SecretDetector::isUpperOrDigit)),
            new Rule("ghp_", (text, at) -> atLeast(text, at, 36, Chars::isAsciiAlnum)),
            new Rule("gho_", (text, at) -> atLeast(text, at, 36, Chars::isAsciiAlnum)),
            new Rule("ghu_", (text, at) -> atLeast(text, at, 36, Chars::isAsciiAlnum)),
            new Rule("ghs_", (text, at) -> atLeast(text, at, 36, Chars::isAsciiAlnum)),
            new Rule("ghr_", (text, at) -> atLeast(text, at, 36, Chars::isAsciiAlnum)),
            new Rule("github_pat_", (text, at) -> atLeast(text, at, 22, SecretDetector::isAlnumOrUnderscore)),
            new Rule("xoxb-", SecretDetector::slack),
            new Rule("xoxp-", SecretDetector::slack),
            new Rule("xoxa-", SecretDetector::slack),
            new Rule("xoxs-", SecretDetector::slack),
            new Rule("xoxr-", SecretDetector::slack),
            new Rule("xapp-", SecretDetector::slack),
            new Rule("sk_live_", (text, at) -> atLeast(text, at, 10, Chars::isAsciiAlnum)),
            new Rule("sk_test_", (text, at) -> atLeast(text, at, 10, Chars::isAsciiAlnum)),
            new Rule("rk_live_", (text, at) -> atLeast(text, at, 10, Chars::isAsciiAlnum)),
            new Rule("rk_test_", (text, at) -> atLeast(text, at, 10, Chars::isAsciiAlnum)),
            new Rule("pk_live_", (text, at) -> atLeast(text, at, 10, Chars::isAsciiAlnum)),
            new Rule("AIza", (text, at) -> exactly(text, at, 35, Chars::isTokenChar)),
            new Rule("glpat-", (text, at) -> atLeast(text, at, 20, Chars::isTokenChar)),
            new Rule("hf_", (text, at) -> atLeast(text, at, 30, Chars::isAsciiAlnum)),
            new Rule("eyJ", SecretDetector::jwt));

    @FunctionalInterface
    private interface CharClass {
        boolean contains(char c);
    }

    @Override
    public void detect(String text, List<Finding> findings) {
        int ours = findings.size();
        for (Rule rule : RULES) {
            String prefix = rule.prefix();
            int at = text.indexOf(prefix);
            while (at >= 0) {
                int end = at > 0 && Chars.isTokenChar(text.charAt(at - 1)) ? -1
                        : rule.body().end(text, at + prefix.length());
                if (end > 0) {
                    findings.add(new Finding(at, end, PiiTypes.SECRET));
                }
                at = text.indexOf(prefix, Math.max(end, at + 1));
            }
        }
        findPrivateKeys(text, findings);
        findLabelled(text, findings, ours);
    }

    private static final Keywords SECRET_LABELS = new Keywords("secret", "password", "passwd", "pwd", "token",
            "api_key", "apikey", "api-key", "access_key", "accesskey", "accountkey", "account_key", "private_key",
            "client_secret", "auth_key", "sharedaccesskey", "signing_key", "credential");
    private static final int MIN_LABELLED = 16;

    /**
     * Values under a label that names a credential ({@code AWS_SECRET_ACCESS_KEY=}, {@code AccountKey=},
     * {@code "password":}) that read as one: no spaces, at least 16 characters, letters and digits mixed.
     */
    private static void findLabelled(String text, List<Finding> findings, int ours) {
        if (text.indexOf('=') < 0 && text.indexOf(':') < 0) {
            return;
        }
        java.util.BitSet byPrefix = null;
        for (Fields.Field field : Fields.of(text)) {
            if (field.end() - field.start() < MIN_LABELLED || !SECRET_LABELS.in(field.label())
                    || !readsAsCredential(text, field.start(), field.end())) {
                continue;
            }
            if (byPrefix == null) {
                byPrefix = new java.util.BitSet(text.length());
                for (int i = ours; i < findings.size(); i++) {
                    byPrefix.set(findings.get(i).start(), findings.get(i).end());
                }
            }
            int covered = byPrefix.nextSetBit(field.start());
            if (covered < 0 || covered >= field.end()) {
                findings.add(new Finding(field.start(), field.end(), PiiTypes.SECRET));
            }
        }
    }

    private static boolean readsAsCredential(String text, int start, int end) {
        boolean letter = false;
        boolean digit = false;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (Chars.isDigit(c)) {
                digit = true;
            } else if (Chars.isAsciiLetter(c)) {
                letter = true;
            } else if (!(c == '+' || c == '/' || c == '=' || c == '_' || c == '-' || c == '.')) {
                return false;
            }
        }
        return letter && digit;
    }

    private static boolean isUpperOrDigit(char c) {
        return Chars.isUpper(c) || Chars.isDigit(c);
    }

    private static boolean isAlnumOrUnderscore(char c) {
        return Chars.isAsciiAlnum(c) || c == '_';
    }

    private static int run(String text, int from, CharClass chars) {
        int end = from;
        while (end < text.length() && chars.contains(text.charAt(end))) {
            end++;
        }
        return end;
    }

    private static int exactly(String text, int from, int length, CharClass chars) {
        int end = run(text, from, chars);
        return end - from == length && (end == text.length() || !Chars.isTokenChar(text.charAt(end))) ? end : -1;
    }

    private static int atLeast(String text, int from, int length, CharClass chars) {
        int end = run(text, from, chars);
        return end - from >= length ? end : -1;
    }

    /** {@code sk-}, {@code sk-proj-} and {@code sk-ant-api03-} keys: 20 or more base64url characters with a digit. */
    private static int openAiOrAnthropic(String text, int from) {
        int end = run(text, from, Chars::isTokenChar);
        if (end - from < 20) {
            return -1;
        }
        for (int i = from; i < end; i++) {
            if (Chars.isDigit(text.charAt(i))) {
                return end;
            }
        }
        return -1;
    }

    private static int slack(String text, int from) {
        int end = run(text, from, c -> Chars.isAsciiAlnum(c) || c == '-');
        while (end > from && text.charAt(end - 1) == '-') {
            end--;
        }
        return end - from >= 10 ? end : -1;
    }

    /** Header, payload and signature in base64url, separated by dots; an unsigned token ends after the payload. */
    private static int jwt(String text, int from) {
        int headerEnd = run(text, from, Chars::isTokenChar);
        if (headerEnd - from < 7 || headerEnd >= text.length() || text.charAt(headerEnd) != '.') {
            return -1;
        }
        int payloadEnd = run(text, headerEnd + 1, Chars::isTokenChar);
        if (payloadEnd - headerEnd - 1 < 4) {
            return -1;
        }
        if (payloadEnd < text.length() && text.charAt(payloadEnd) == '.') {
            int signatureEnd = run(text, payloadEnd + 1, Chars::isTokenChar);
            if (signatureEnd > payloadEnd + 1) {
                return signatureEnd;
            }
        }
        return payloadEnd;
    }

    /**
     * From {@code -----BEGIN ... PRIVATE KEY-----} to its {@code -----END ...-----} line; a block cut off before its
     * end line is taken as far as its base64 body, real or escaped newlines included, reaches. Where the next end
     * line is is looked up once and remembered while it still lies ahead, so that a text of many begin lines and no
     * end line is read once, not once per begin line.
     */
    private static void findPrivateKeys(String text, List<Finding> findings) {
        int endLineSearchedFrom = Integer.MAX_VALUE;
        int endLine = -1;
        int at = text.indexOf(PEM_BEGIN);
        while (at >= 0) {
            int end = -1;
            int labelStart = at + PEM_BEGIN.length();
            int labelEnd = text.indexOf(PEM_DASHES, labelStart,
                    Math.min(text.length(), labelStart + PEM_LABEL_MAX + PEM_DASHES.length()));
            if ((at == 0 || !Chars.isTokenChar(text.charAt(at - 1))) && labelEnd >= 0
                    && isPrivateKeyLabel(text, labelStart, labelEnd)) {
                int bodyStart = labelEnd + PEM_DASHES.length();
                if (bodyStart < endLineSearchedFrom || (endLine >= 0 && endLine < bodyStart)) {
                    endLine = text.indexOf(PEM_END, bodyStart);
                    endLineSearchedFrom = bodyStart;
                }
                end = endLine >= 0 ? pemEnd(text, bodyStart, endLine) : -1;
                if (end < 0) {
                    end = base64BodyEnd(text, bodyStart);
                }
                findings.add(new Finding(at, end, PiiTypes.SECRET));
            }
            at = text.indexOf(PEM_BEGIN, Math.max(end, at + 1));
        }
    }

    /** The end of the block whose body starts at {@code bodyStart}, if only base64 lies before its end line. */
    private static int pemEnd(String text, int bodyStart, int endLine) {
        if (!onlyBase64Between(text, bodyStart, endLine)) {
            return -1;
        }
        int labelStart = endLine + PEM_END.length();
        int labelEnd = text.indexOf(PEM_DASHES, labelStart,
                Math.min(text.length(), labelStart + PEM_LABEL_MAX + PEM_DASHES.length()));
        return labelEnd >= 0 ? labelEnd + PEM_DASHES.length() : -1;
    }

    private static boolean isPrivateKeyLabel(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!Chars.isUpper(c) && !Chars.isDigit(c) && c != ' ') {
                return false;
            }
        }
        return text.substring(from, to).contains(PRIVATE_KEY);
    }

    private static boolean onlyBase64Between(String text, int from, int to) {
        return base64Scan(text, from) >= to;
    }

    /** How far a base64 body whose lines break with real or JSON-escaped newlines reaches, breaks included. */
    private static int base64Scan(String text, int from) {
        int end = from;
        while (end < text.length()) {
            char c = text.charAt(end);
            if (isBase64(c) || c == '\n' || c == '\r' || c == ' ' || c == '\t') {
                end++;
            } else if (c == '\\' && end + 1 < text.length() && "nrt".indexOf(text.charAt(end + 1)) >= 0) {
                end += 2;
            } else {
                break;
            }
        }
        return end;
    }

    /** The end of the last base64 character of a body, so trailing breaks stay outside the finding. */
    private static int base64BodyEnd(String text, int from) {
        int end = base64Scan(text, from);
        while (end > from && !isBase64(text.charAt(end - 1))) {
            end--;
        }
        while (end > from + 1 && text.charAt(end - 2) == '\\' && "nrt".indexOf(text.charAt(end - 1)) >= 0) {
            end -= 2;
            while (end > from && !isBase64(text.charAt(end - 1))) {
                end--;
            }
        }
        return end;
    }

    private static boolean isBase64(char c) {
        return Chars.isAsciiAlnum(c) || c == '+' || c == '/' || c == '=';
    }
}
