package dev.veil.server.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code veil.console}: the operator console's sign-in through the company IdP. Without it the console signs in with
 * an admin key only.
 *
 * @param oidc OpenID Connect authorization code with PKCE, when configured
 */
public record ConsoleConfig(Optional<Oidc> oidc) {
    public static final String DEFAULT_SCOPE = "openid";
    private static final Set<String> KEYS = Set.of("oidc");
    private static final Set<String> OIDC_KEYS = Set.of("issuer", "client-id", "client-secret", "redirect-uri",
            "scope", "name");

    /**
     * {@code veil.console.oidc}.
     *
     * @param issuer the IdP's issuer: discovery is read from its {@code /.well-known/openid-configuration}, and it must
     *               be one of {@code veil.auth.jwt}, whose checks and roles claim the console's tokens pass
     * @param clientId the console's client at the IdP
     * @param clientSecret the client's secret, for an IdP that registers the console as a confidential client
     * @param redirectUri where the IdP sends the browser back; by default the console's own address as the browser
     *                    reached it
     * @param scope the scopes asked for
     * @param name what the sign-in button calls the IdP
     */
    public record Oidc(URI issuer, String clientId, Optional<Secret> clientSecret, Optional<URI> redirectUri,
                       String scope, String name) {
        public Oidc {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
            Objects.requireNonNull(redirectUri, "redirectUri");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(name, "name");
        }
    }

    public ConsoleConfig {
        Objects.requireNonNull(oidc, "oidc");
    }

    public static ConsoleConfig none() {
        return new ConsoleConfig(Optional.empty());
    }

    static ConsoleConfig from(ConfigReader node, AuthConfig auth) {
        if (!node.exists()) {
            return none();
        }
        node.rejectUnknown(KEYS);
        ConfigReader oidc = node.get("oidc");
        if (!oidc.exists()) {
            return none();
        }
        oidc.rejectUnknown(OIDC_KEYS);
        URI issuer = oidc.url("issuer").orElseThrow(() -> oidc.invalid("issuer", "missing; the IdP's issuer, as "
                + "its tokens carry it in iss"));
        if (auth.jwt().stream().noneMatch(trusted -> trusted.issuer().equals(issuer.toString())
                || trusted.issuer().equals(issuer + "/"))) {
            throw oidc.invalid("issuer", "'" + issuer + "' is not an issuer of veil.auth.jwt; the console's tokens "
                    + "are checked, and their roles read, as that issuer says: add it there");
        }
        String clientId = oidc.string("client-id").filter(text -> !text.isBlank()).orElseThrow(() -> oidc.invalid(
                "client-id", "missing; the console's client id at the IdP"));
        return new ConsoleConfig(Optional.of(new Oidc(issuer, clientId, oidc.string("client-secret").map(Secret::new),
                oidc.url("redirect-uri"), oidc.string("scope").orElse(DEFAULT_SCOPE),
                oidc.string("name").orElse("your company account"))));
    }
}
