package dev.veil.server.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code veil.node-id}: the name one Veil process goes by among its replicas, which its audit log writes into every
 * record. Unset, it is the {@code HOSTNAME} environment variable (a Kubernetes pod's name, a container's id), else the
 * machine's host name: a name that differs between replicas without anyone configuring it.
 */
public final class NodeId {
    /** The longest node id: what a Linux host name or a Kubernetes StatefulSet pod's name takes. */
    public static final int MAX_LENGTH = 64;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_LENGTH + "}");
    private static final String RULE = "1 to " + MAX_LENGTH + " characters of A-Z, a-z, 0-9, '.', '_' and '-'";
    /** The kernel's host name on Linux, read without the name lookup that InetAddress does (slow without DNS). */
    private static final Path KERNEL_HOST_NAME = Path.of("/proc/sys/kernel/hostname");

    private NodeId() {
    }

    /** Whether {@code nodeId} is one: {@value #MAX_LENGTH} characters at most, of letters, digits, '.', '_', '-'. */
    public static boolean valid(String nodeId) {
        return VALID.matcher(nodeId).matches();
    }

    /** {@code veil.node-id} when set, checked; a value that is not a node id stops startup. */
    static Optional<String> configured(ConfigReader veil) {
        Optional<String> nodeId = veil.string("node-id");
        if (nodeId.isPresent() && !valid(nodeId.get())) {
            throw veil.invalid("node-id", "must be " + RULE + ", got " + shown(nodeId.get()) + "; give each "
                    + "replica its own, for example veil-0");
        }
        return nodeId;
    }

    /**
     * The default node id, as {@link #ofThisHost(Function)} finds it, reading {@code HOSTNAME} through the config's
     * environment.
     */
    static String ofThisHost(ConfigReader veil) {
        return ofThisHost(variable -> veil.environmentVariable(variable).orElse(null));
    }

    /**
     * The default node id: {@code HOSTNAME} when set, else the machine's host name.
     *
     * @param environment looks up an environment variable; null when it is not set
     * @throws ConfigException naming {@code veil.node-id} when no usable name is found
     */
    public static String ofThisHost(Function<String, String> environment) {
        String variable = environment.apply("HOSTNAME");
        boolean fromVariable = variable != null && !variable.isBlank();
        String host = fromVariable ? variable.strip() : hostName();
        if (!valid(host)) {
            throw new ConfigException("veil.node-id", "not set, and the host name " + (fromVariable ? "in HOSTNAME "
                    : "") + shown(host) + " is not a node id (" + RULE + "); set veil.node-id, for example veil-0");
        }
        return host;
    }

    private static String hostName() {
        try {
            if (Files.isReadable(KERNEL_HOST_NAME)) {
                return Files.readString(KERNEL_HOST_NAME, StandardCharsets.US_ASCII).strip();
            }
        } catch (IOException e) {
            // Not Linux after all, or no /proc: ask the JDK.
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new ConfigException("veil.node-id", "not set, and neither HOSTNAME nor this machine's host name "
                    + "could be read; set veil.node-id, for example veil-0");
        }
    }

    private static String shown(String value) {
        return value.length() <= MAX_LENGTH + 16 ? "'" + value + "'" : "a value of " + value.length() + " characters";
    }
}
