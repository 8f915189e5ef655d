package dev.veil.server.config;

import java.util.Locale;

/** {@code veil.reload}: what makes Veil reload its config file besides {@code SIGHUP}. */
public enum ReloadMode {
    /** Only {@code SIGHUP} reloads; the default. */
    SIGNAL,
    /** A change to the config file reloads too, as does {@code SIGHUP}. */
    WATCH;

    /** {@code veil.reload}: {@code signal} (the default) or {@code watch}. */
    static ReloadMode from(ConfigReader veil) {
        String value = veil.string("reload").orElse("signal").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "signal" -> SIGNAL;
            case "watch" -> WATCH;
            default -> throw veil.invalid("reload", "must be 'signal' (reload on SIGHUP, the default) or 'watch' "
                    + "(also when the config file changes), got '" + value + "'");
        };
    }
}
