package dev.veil.server.config;

import java.util.Optional;
import java.util.function.Function;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in config values with environment variables, so secrets stay
 * out of config files. {@code $${} writes a literal {@code ${}.
 */
final class EnvSubstitution {
    private final Function<String, String> environment;

    EnvSubstitution(Function<String, String> environment) {
        this.environment = environment;
    }

    /** A variable's value, for a setting that names a variable rather than refers to one. */
    Optional<String> variable(String name) {
        return Optional.ofNullable(environment.apply(name));
    }

    String apply(String key, String value) {
        if (value.indexOf('$') < 0) {
            return value;
        }
        StringBuilder result = new StringBuilder(value.length());
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c == '$' && value.startsWith("$${", i)) {
                result.append("${");
                i += 3;
            } else if (c == '$' && value.startsWith("${", i)) {
                int end = value.indexOf('}', i);
                if (end < 0) {
                    throw new ConfigException(key, "unclosed '${' in value; write ${NAME} or ${NAME:-default}");
                }
                result.append(resolve(key, value.substring(i + 2, end)));
                i = end + 1;
            } else {
                result.append(c);
                i++;
            }
        }
        return result.toString();
    }

    private String resolve(String key, String expression) {
        int defaultAt = expression.indexOf(":-");
        String name = defaultAt < 0 ? expression : expression.substring(0, defaultAt);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new ConfigException(key, "'${" + expression + "}' is not an environment variable reference; "
                    + "write ${NAME} or ${NAME:-default}");
        }
        String found = environment.apply(name);
        if (found != null && !found.isEmpty()) {
            return found;
        }
        if (defaultAt >= 0) {
            return expression.substring(defaultAt + 2);
        }
        throw new ConfigException(key, "environment variable " + name + " is not set; export it, or write ${"
                + name + ":-default} to give a default");
    }
}
