package dev.veil.server.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Generates malformed requests, each from the seed and its own index alone, so that one failing request can be made
 * again from the two numbers a failure prints. A request is one of: a body that is not what the route takes (cut
 * JSON, wrong types, huge numbers, deep nesting, invalid UTF-8, NUL bytes), a header section that is wrong (bad,
 * duplicate or conflicting lengths, broken chunks, overlong or control characters), a bad method or an absurd
 * target, on any route, with the master key mostly (to reach the body) and without it sometimes.
 */
final class MalformedRequests {
    /** One request: its bytes, how it is judged, and whether its connection can carry the next. */
    record Case(int index, String kind, byte[] bytes, String shapePath, boolean reusable, boolean headRequest,
                int allowed5xx, boolean http10) {
        /** The request as text a person can read: control characters and bytes above 0x7e escaped, cut at 600. */
        String printable() {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < bytes.length && text.length() < 600; i++) {
                int b = bytes[i] & 0xff;
                if (b == '\r') {
                    text.append("\\r");
                } else if (b == '\n') {
                    text.append("\\n");
                } else if (b < 0x20 || b > 0x7e) {
                    text.append(String.format(Locale.ROOT, "\\x%02x", b));
                } else {
                    text.append((char) b);
                }
            }
            return bytes.length > 600 ? text + "... (" + bytes.length + " bytes)" : text.toString();
        }
    }

    /** A route to aim at: a method Veil serves there (or {@code null} for any) and a concrete path. */
    record Target(String method, String path) {
    }

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"};
    private static final String[] BAD_METHODS = {"G@T", "GE T", "", "get", "P\u0000ST", "POST\t", "\u00e9T",
            "X".repeat(300), "{}", "GET/"};
    private static final String[] BAD_PATHS = {"/../../etc/passwd", "/%00", "/%zz", "*", "//", "/v1/models/%2e%2e",
            "http://evil.example/v1/models", "/v1/models/\u00ff\u00fe", "/?" + "q=".repeat(400), "/v1//chat",
            "/v1/chat/completions/../../admin/keys", "/\\", "/v1/models/a b", "/admin/keys/%ff", "/v1/%",
            "/" + "a".repeat(5000)};
    private static final String[] BAD_LENGTHS = {"abc", "-1", "1 2", "99999999999999999999", "0x10", "", "1.5",
            "+5", " ", "5,6"};
    private static final String[] BAD_CHUNK_SIZES = {"zz", "ffffffffffffffff", "-1", " 5", "5;ext", "", "0x5",
            "7fffffff", "g", "1\u0000"};
    private static final String[] BODIES_CUT = {"{\"model\":\"veil/echo\",\"messages\":[{\"role\":\"user\",\"con",
            "{", "[", "{\"model\":", "{\"model\":\"veil/echo\"", "\"unterminated", "{\"a\":[1,2,"};
    private static final String[] BODIES_WRONG_TYPES = {"{\"model\":1,\"messages\":\"x\"}",
            "{\"model\":\"veil/echo\",\"messages\":{}}", "{\"model\":null,\"messages\":null}",
            "{\"model\":\"veil/echo\",\"messages\":[1,2,3]}", "{\"model\":[],\"input\":{}}",
            "{\"model\":\"veil/echo\",\"messages\":[{\"role\":7,\"content\":[{\"type\":false}]}]}",
            "{\"model\":\"veil/echo\",\"max_tokens\":\"many\",\"messages\":[]}", "[]", "\"text\"", "42", "null",
            "true", "{\"model\":\"veil/echo\",\"stream\":\"yes\",\"messages\":[]}",
            "{\"tenant\":{},\"name\":[],\"expires_at\":7}", "{\"budget\":\"all\"}"};
    private static final String[] BODIES_HUGE_NUMBERS = {"{\"model\":\"veil/echo\",\"max_tokens\":1e99999,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "{\"model\":\"veil/echo\",\"temperature\":123456789012345678901234567890123456789,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "{\"model\":\"veil/echo\",\"max_tokens\":-9223372036854775809,\"messages\":[]}",
            "{\"model\":\"veil/echo\",\"n\":1e-99999,\"messages\":[]}",
            "{\"budget\":{\"limit_usd\":1e308,\"period\":\"month\"}}",
            "{\"tenant\":\"t\",\"expires_in_days\":99999999999999999999}"};

    private final long seed;
    private final List<Target> targets;

    MalformedRequests(long seed, List<Target> targets) {
        this.seed = seed;
        this.targets = List.copyOf(targets);
    }

    Case generate(int index) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        Target target = targets.get(random.nextInt(targets.size()));
        String method = target.method() != null && random.nextInt(4) != 0 ? target.method()
                : METHODS[random.nextInt(METHODS.length)];
        String path = target.path();
        Request request = new Request(method, path, random.nextInt(8) != 0);
        int kind = random.nextInt(14);
        String name = switch (kind) {
            case 0 -> request.body("truncated JSON", pick(random, BODIES_CUT));
            case 1 -> request.body("wrong types", pick(random, BODIES_WRONG_TYPES));
            case 2 -> request.body("huge numbers", pick(random, BODIES_HUGE_NUMBERS));
            case 3 -> request.body("deep nesting", nested(random));
            case 4 -> request.body("invalid UTF-8", invalidUtf8(random));
            case 5 -> request.body("NUL bytes", "{\"model\":\"veil/echo\u0000\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"a\u0000b\"}]}\u0000");
            case 6 -> request.badLength(random);
            case 7 -> request.duplicateLength(random);
            case 8 -> request.lengthAndChunked();
            case 9 -> request.badChunk(random);
            case 10 -> request.overlongHeader(random);
            case 11 -> request.controlCharacters(random);
            case 12 -> request.badMethod(pick(random, BAD_METHODS));
            default -> request.badTarget(pick(random, BAD_PATHS), random);
        };
        return request.build(index, name);
    }

    private static String pick(SplittableRandom random, String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static byte[] nested(SplittableRandom random) {
        int depth = 500 + random.nextInt(20_000);
        boolean arrays = random.nextBoolean();
        StringBuilder body = new StringBuilder("{\"model\":\"veil/echo\",\"messages\":");
        for (int i = 0; i < depth; i++) {
            body.append(arrays ? "[" : "{\"a\":");
        }
        body.append("1");
        for (int i = 0; i < depth; i++) {
            body.append(arrays ? "]" : "}");
        }
        return body.append("}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] invalidUtf8(SplittableRandom random) {
        byte[][] broken = {{(byte) 0xc3}, {(byte) 0xff, (byte) 0xfe}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"model\":\"veil/echo\",\"messages\":[{\"role\":\"user\",\"content\":\""
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(broken[random.nextInt(broken.length)]);
        body.writeBytes("\"}]}".getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    /** A request being made: a well-formed one until a mutation says otherwise. */
    private static final class Request {
        private String method;
        private String target;
        private String version = "HTTP/1.1";
        private final List<String> headers = new ArrayList<>();
        private byte[] body = new byte[0];
        private String framing = "length";
        private boolean reusable = true;
        private String shapePath;
        private int allowed5xx;

        Request(String method, String target, boolean withKey) {
            this.method = method;
            this.target = target;
            this.shapePath = target;
            headers.add("Host: veil");
            if (withKey) {
                headers.add("Authorization: Bearer " + dev.veil.server.testing.VeilUnderTest.MASTER_KEY);
                headers.add("x-api-key: " + dev.veil.server.testing.VeilUnderTest.MASTER_KEY);
            }
            headers.add("Content-Type: application/json");
        }

        String body(String name, String text) {
            return body(name, text.getBytes(StandardCharsets.UTF_8));
        }

        String body(String name, byte[] bytes) {
            body = bytes;
            return name;
        }

        String badLength(SplittableRandom random) {
            body = "{\"model\":\"veil/echo\"}".getBytes(StandardCharsets.UTF_8);
            framing = "Content-Length: " + pick(random, BAD_LENGTHS);
            reusable = false;
            return "bad Content-Length";
        }

        String duplicateLength(SplittableRandom random) {
            body = "{}".getBytes(StandardCharsets.UTF_8);
            framing = random.nextBoolean() ? "Content-Length: 2\r\nContent-Length: 3" : "Content-Length: 2, 3";
            reusable = false;
            return "duplicate Content-Length";
        }

        String lengthAndChunked() {
            body = "2\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            framing = "Content-Length: " + body.length + "\r\nTransfer-Encoding: chunked";
            reusable = false;
            return "Content-Length and Transfer-Encoding";
        }

        String badChunk(SplittableRandom random) {
            String size = pick(random, BAD_CHUNK_SIZES);
            body = (size + "\r\n{}\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            framing = "Transfer-Encoding: chunked";
            if (random.nextInt(4) == 0) {
                version = "HTTP/1.0";
            }
            reusable = false;
            return "bad chunk size";
        }

        String overlongHeader(SplittableRandom random) {
            headers.add("X-Long: " + "v".repeat(16_000 + random.nextInt(50_000)));
            reusable = false;
            body = "{}".getBytes(StandardCharsets.UTF_8);
            return "overlong header line";
        }

        String controlCharacters(SplittableRandom random) {
            String[] controls = {"\u0000", "\u0001", "\u007f", "\r", "\n", "\u001b[31m", "\u0008"};
            String control = pick(random, controls);
            headers.add(random.nextBoolean() ? "X-Ctl: a" + control + "b" : "X" + control + "Ctl: v");
            body = "{}".getBytes(StandardCharsets.UTF_8);
            reusable = false;
            return "control characters in a header";
        }

        String badMethod(String bad) {
            method = bad;
            body = "{}".getBytes(StandardCharsets.UTF_8);
            reusable = false;
            // A method that is a token reaches routing, which answers in the route's shape.
            if (!bad.isEmpty() && !TOKEN.matcher(bad).matches()) {
                shapePath = "";
            }
            return "bad method";
        }

        String badTarget(String bad, SplittableRandom random) {
            target = bad;
            shapePath = "";
            body = "{}".getBytes(StandardCharsets.UTF_8);
            reusable = false;
            if (random.nextInt(5) == 0) {
                version = pick(random, new String[] {"HTTP/2.0", "HTTP/0.9", "HTTP/1.2", "HTTX/1.1", "HTTP/1.1 x"});
                allowed5xx = version.startsWith("HTTP/") && version.length() == 8 ? 505 : 0;
            }
            return "absurd target";
        }

        Case build(int index, String kind) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256 + body.length);
            out.writeBytes((method + " " + target + " " + version + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            for (String header : headers) {
                out.writeBytes((header + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes((framing.equals("length") ? "Content-Length: " + body.length : framing)
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(body);
            // A path that is not Veil's own is judged as it arrives: the route's shape if it is one.
            String shape = shapePath.startsWith("/") && !shapePath.contains("..") ? shapePath : "";
            boolean http10 = version.equals("HTTP/1.0");
            return new Case(index, kind, out.toByteArray(), shape, reusable && !http10, method.equals("HEAD"),
                    allowed5xx, http10);
        }
    }
}
