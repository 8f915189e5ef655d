package dev.veil.plugins.pii;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import dev.veil.plugins.pii.detect.Detector;
import dev.veil.plugins.pii.detect.BankAccountDetector;
import dev.veil.plugins.pii.detect.DateOfBirthDetector;
import dev.veil.plugins.pii.detect.DictionaryDetector;
import dev.veil.plugins.pii.detect.EmailDetector;
import dev.veil.plugins.pii.detect.IbanDetector;
import dev.veil.plugins.pii.detect.IpAddressDetector;
import dev.veil.plugins.pii.detect.MedicalRecordDetector;
import dev.veil.plugins.pii.detect.NationalIdDetector;
import dev.veil.plugins.pii.detect.PatternDetector;
import dev.veil.plugins.pii.detect.PaymentCardDetector;
import dev.veil.plugins.pii.detect.PersonNameDetector;
import dev.veil.plugins.pii.detect.PhoneDetector;
import dev.veil.plugins.pii.detect.PostalAddressDetector;
import dev.veil.plugins.pii.detect.PiiTypes;
import dev.veil.plugins.pii.detect.SecretDetector;
import dev.veil.plugins.pii.detect.UsSsnDetector;
import dev.veil.plugins.pii.detect.ner.NerDetector;
import dev.veil.plugins.pii.detect.ner.NerSettings;
import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginFactory;
import dev.veil.spi.plugin.PluginSettings;

/**
 * Creates the {@code pii-redaction} plugin. With no settings at all it detects every built-in type and pseudonymizes
 * it, so {@code {name: pii-redaction}} alone protects. Settings:
 * <ul>
 *   <li>{@code types}: the built-in types to detect (default: all);</li>
 *   <li>{@code default-mode} and {@code modes} ({@code TYPE: mode}): {@code pseudonymize}, {@code mask},
 *       {@code hash} or {@code block};</li>
 *   <li>{@code phone-regions}: regions whose national number formats are recognised;</li>
 *   <li>{@code hash-key}: the key of {@code hash} mode (default: a random key kept in the plugin's data dir);</li>
 *   <li>{@code scan-output}: also redact new personal data in complete answers;</li>
 *   <li>{@code max-findings}: the most findings one request may hold before it is refused (default 10,000);</li>
 *   <li>{@code custom}: extra detectors, each {@code {type, pattern}} or {@code {type, words, ignore-case}};</li>
 *   <li>{@code ner}: a token-classification model whose findings join the others ({@link NerSettings}).</li>
 * </ul>
 */
public final class PiiRedactionFactory implements PluginFactory {
    private static final Set<String> SETTINGS = Set.of("types", "default-mode", "modes", "phone-regions", "hash-key",
            "scan-output", "max-findings", "custom", "ner");
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final int MIN_HASH_KEY_LENGTH = 16;

    @Override
    public String name() {
        return "pii-redaction";
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public int spiMinorVersion() {
        return SPI_MINOR_VERSION;
    }

    @Override
    public Plugin create(PluginSettings settings, PluginContext context) {
        settings.rejectUnknown(SETTINGS);
        List<Detector> detectors = new ArrayList<>();
        Set<String> types = new LinkedHashSet<>();
        for (String type : builtInTypes(settings)) {
            detectors.add(builtIn(type, settings));
            types.add(type);
        }
        for (PluginSettings custom : settings.sections("custom")) {
            String type = custom.requiredString("type").trim();
            if (!TYPE_NAME.matcher(type).matches()) {
                throw custom.invalid("type", "must be upper case letters, digits and underscores, such as EMPLOYEE_ID");
            }
            detectors.add(customDetector(type, custom));
            types.add(type);
        }
        // Only here are the NER classes, and with them ONNX Runtime, loaded: a default start never touches them.
        Optional<PluginSettings> ner = settings.section("ner");
        if (ner.isPresent()) {
            NerDetector detector = NerSettings.detector(ner.get());
            detectors.add(detector);
            types.addAll(detector.types());
        }
        RedactionMode fallback = mode(settings, "default-mode", settings.string("default-mode").orElse("pseudonymize"));
        Map<String, RedactionMode> modes = new LinkedHashMap<>();
        settings.section("modes").ifPresent(section -> {
            for (String type : section.keys()) {
                if (!types.contains(type)) {
                    throw section.invalid(type, "is not a detected type; detected: " + String.join(", ", types));
                }
                modes.put(type, mode(section, type, section.requiredString(type)));
            }
        });
        return new PiiRedactionPlugin(new PiiScanner(detectors), types, new RedactionModes(modes, fallback),
                new KeyedHasher(hashKey(settings, context)), settings.flag("scan-output", false),
                findingsLimit(settings));
    }

    private static FindingsLimit findingsLimit(PluginSettings settings) {
        long max = settings.integer("max-findings", FindingsLimit.DEFAULT);
        if (max < 1 || max > Integer.MAX_VALUE) {
            throw settings.invalid("max-findings", "must be a whole number from 1 to " + Integer.MAX_VALUE
                    + ", got " + max);
        }
        return new FindingsLimit((int) max, settings.key("max-findings"));
    }

    private static List<String> builtInTypes(PluginSettings settings) {
        List<String> configured = settings.strings("types");
        if (configured.isEmpty()) {
            return PiiTypes.BUILT_IN;
        }
        List<String> types = new ArrayList<>();
        for (String type : configured) {
            String name = type.trim().toUpperCase(Locale.ROOT);
            if (!PiiTypes.BUILT_IN.contains(name)) {
                throw settings.invalid("types", "'" + type + "' is not a built-in type; built-in: "
                        + String.join(", ", PiiTypes.BUILT_IN) + " (add others under custom)");
            }
            types.add(name);
        }
        return types;
    }

    private static Detector builtIn(String type, PluginSettings settings) {
        return switch (type) {
            case PiiTypes.EMAIL -> new EmailDetector();
            case PiiTypes.PHONE -> new PhoneDetector(phoneRegions(settings));
            case PiiTypes.CREDIT_CARD -> new PaymentCardDetector();
            case PiiTypes.IBAN -> new IbanDetector();
            case PiiTypes.US_SSN -> new UsSsnDetector();
            case PiiTypes.IP_ADDRESS -> new IpAddressDetector();
            case PiiTypes.SECRET -> new SecretDetector();
            case PiiTypes.PERSON -> new PersonNameDetector();
            case PiiTypes.NATIONAL_ID -> new NationalIdDetector();
            case PiiTypes.MEDICAL_RECORD -> new MedicalRecordDetector();
            case PiiTypes.BANK_ACCOUNT -> new BankAccountDetector();
            case PiiTypes.POSTAL_ADDRESS -> new PostalAddressDetector();
            case PiiTypes.DATE_OF_BIRTH -> new DateOfBirthDetector();
            default -> throw new IllegalStateException("no detector for built-in type " + type);
        };
    }

    private static List<String> phoneRegions(PluginSettings settings) {
        List<String> configured = settings.strings("phone-regions");
        if (configured.isEmpty()) {
            return PhoneDetector.DEFAULT_REGIONS;
        }
        Set<String> supported = PhoneNumberUtil.getInstance().getSupportedRegions();
        List<String> regions = new ArrayList<>();
        for (String region : configured) {
            String code = region.trim().toUpperCase(Locale.ROOT);
            if (!supported.contains(code)) {
                throw settings.invalid("phone-regions", "'" + region + "' is not a region code; write two-letter "
                        + "ISO 3166 codes such as US, GB, DE");
            }
            regions.add(code);
        }
        return regions;
    }

    private static Detector customDetector(String type, PluginSettings custom) {
        custom.rejectUnknown(Set.of("type", "pattern", "words", "ignore-case"));
        boolean ignoreCase = custom.flag("ignore-case", false);
        if (custom.string("pattern").isPresent() == !custom.strings("words").isEmpty()) {
            throw custom.invalid("pattern", "give either pattern (a regular expression) or words (a list), not both");
        }
        if (custom.string("pattern").isPresent()) {
            try {
                return new PatternDetector(type, Pattern.compile(custom.requiredString("pattern"),
                        ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
            } catch (PatternSyntaxException e) {
                throw custom.invalid("pattern", "is not a valid regular expression: " + e.getDescription());
            }
        }
        return new DictionaryDetector(type, custom.strings("words"), ignoreCase);
    }

    private static RedactionMode mode(PluginSettings settings, String name, String value) {
        return RedactionMode.parse(value).orElseThrow(() -> settings.invalid(name, "'" + value
                + "' is not a mode; write pseudonymize, mask, hash or block"));
    }

    /**
     * The key of {@code hash} mode: configured, or generated once and kept in the data dir so that hashes stay
     * comparable across restarts.
     */
    private static byte[] hashKey(PluginSettings settings, PluginContext context) {
        if (settings.string("hash-key").isPresent()) {
            String key = settings.requiredString("hash-key");
            if (key.length() < MIN_HASH_KEY_LENGTH) {
                throw settings.invalid("hash-key", "must be at least " + MIN_HASH_KEY_LENGTH
                        + " characters; generate one with: openssl rand -base64 32");
            }
            return key.getBytes(StandardCharsets.UTF_8);
        }
        Path file = context.dataDir().resolve("hash-key");
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            // Created owner-only from the start: the key must never be readable, even briefly, by others.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the pii-redaction hash key " + file, e);
        } catch (IllegalArgumentException e) {
            throw settings.invalid("hash-key", "the key file " + file + " is not base64; delete it to generate "
                    + "a new one (hashes made with the old key will no longer match)");
        }
    }
}
