package dev.veil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** {@code veil.auth.jwt}: defaults, and a bad issuer entry refused at startup naming its key. */
class AuthConfigTest {
    private static AuthConfig load(String authYaml) {
        return ConfigLoader.fromYaml("""
                veil:
                  opa: {enabled: false}
                  master-key: test-master-key
                  providers:
                    openai: {kind: openai, api-key: sk-test}
                %s""".formatted(authYaml), Map.<String, String>of()::get).auth();
    }

    private static String issuer(String extra) {
        return """
                  auth:
                    jwt:
                      - {issuer: "https://idp.example.com/realms/bank", audience: veil,
                         jwks-url: "https://idp.example.com/realms/bank/protocol/openid-connect/certs"%s}
                """.formatted(extra);
    }

    @Test
    void withoutAnAuthSectionOnlyKeysAreAccepted() {
        assertThat(load("").jwt()).isEmpty();
    }

    @Test
    void anIssuerGetsTheDefaultAlgorithmsSkewAndUserClaim() {
        AuthConfig.JwtIssuer issuer = load(issuer("")).jwt().getFirst();

        assertThat(issuer.algorithms()).containsExactly("RS256", "ES256", "PS256");
        assertThat(issuer.clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(issuer.jwksUrl()).isEqualTo(URI.create(
                "https://idp.example.com/realms/bank/protocol/openid-connect/certs"));
        assertThat(issuer.claims()).isEqualTo(new AuthConfig.Claims("sub", Optional.empty(), Optional.empty(),
                List.of(), Optional.empty(), Optional.empty()));
        assertThat(issuer.pseudonymousUser()).isFalse();
    }

    @Test
    void theClaimMappingIsRead() {
        AuthConfig.Claims claims = load(issuer(", claims: {user: oid, tenant: tid, team: groups, labels: [dept], "
                + "models: veil_models, roles: roles}")).jwt().getFirst().claims();

        assertThat(claims).isEqualTo(new AuthConfig.Claims("oid", Optional.of("tid"), Optional.of("groups"),
                List.of("dept"), Optional.of("veil_models"), Optional.of("roles")));
    }

    @Test
    void algNoneIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> load(issuer(", algorithms: [RS256, none]"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.auth.jwt[0].algorithms: 'none' is refused");
    }

    @Test
    void anHmacAlgorithmIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> load(issuer(", algorithms: [HS256]"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.auth.jwt[0].algorithms: 'HS256' is refused");
    }

    @Test
    void anUnknownAlgorithmIsRefused() {
        assertThatThrownBy(() -> load(issuer(", algorithms: [RS257]"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.auth.jwt[0].algorithms: unknown algorithm 'RS257'");
    }

    @Test
    void anIssuerWithoutAudienceIsRefused() {
        assertThatThrownBy(() -> load("""
                  auth:
                    jwt:
                      - {issuer: "https://idp.example.com", jwks-url: "https://idp.example.com/certs"}
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("veil.auth.jwt[0].audience: missing");
    }

    @Test
    void aJwksUrlThatIsNoHttpUrlIsRefused() {
        assertThatThrownBy(() -> load("""
                  auth:
                    jwt:
                      - {issuer: "https://idp.example.com", audience: veil, jwks-url: "file:///etc/jwks.json"}
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("veil.auth.jwt[0].jwks-url:");
    }

    @Test
    void aMisspeltIssuerSettingIsRefused() {
        assertThatThrownBy(() -> load(issuer(", audiences: [veil]"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.auth.jwt[0].audiences: unknown key");
    }

    @Test
    void aMisspeltClaimIsRefused() {
        assertThatThrownBy(() -> load(issuer(", claims: {group: groups}"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.auth.jwt[0].claims.group: unknown key");
    }

    @Test
    void theSameIssuerTwiceIsRefused() {
        assertThatThrownBy(() -> load("""
                  auth:
                    jwt:
                      - {issuer: "https://idp.example.com", audience: veil, jwks-url: "https://idp.example.com/a"}
                      - {issuer: "https://idp.example.com", audience: gw, jwks-url: "https://idp.example.com/b"}
                """)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.auth.jwt[1].issuer: 'https://idp.example.com' is configured twice");
    }

    @Test
    void aClockSkewAboveTenMinutesIsRefused() {
        assertThatThrownBy(() -> load(issuer(", clock-skew: 1h"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("veil.auth.jwt[0].clock-skew:");
    }

    @Test
    void userLimitsAreReadAndDefaultToNone() {
        assertThat(load(issuer("")).jwt().getFirst().userLimits()).isEqualTo(AuthConfig.UserLimits.NONE);
        assertThat(load(issuer(", user-limits: {rpm: 60, tpm: 100000}")).jwt().getFirst().userLimits())
                .isEqualTo(new AuthConfig.UserLimits(60, 100_000));
    }

    @Test
    void aNegativeUserLimitIsRefusedNamingItsKey() {
        assertThatThrownBy(() -> load(issuer(", user-limits: {rpm: -1}"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.auth.jwt[0].user-limits.rpm").hasMessageContaining("from 0 (no limit)");
    }

    @Test
    void userLimitsWithoutAnyLimitAreRefused() {
        assertThatThrownBy(() -> load(issuer(", user-limits: {rpm: 0}"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("veil.auth.jwt[0].user-limits");
    }

    @Test
    void anUnknownUserLimitIsRefusedNamingIt() {
        assertThatThrownBy(() -> load(issuer(", user-limits: {rpd: 5}"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rpd");
    }
}
