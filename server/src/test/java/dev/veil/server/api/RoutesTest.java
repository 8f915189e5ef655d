package dev.veil.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.veil.server.core.Ticker;
import io.helidon.http.Method;
import org.junit.jupiter.api.Test;

/** The route table refuses, at startup, a route that could reach a provider without the request pipeline. */
class RoutesTest {
    @Test
    void refusesAProviderRouteNotServedByThePipeline() {
        Routes routes = new Routes(Ticker.system());

        assertThatThrownBy(() -> routes.add(new Routes.Route(Method.POST, "/v1/batches",
                Routes.Reach.PROVIDER, (request, response) -> response.send("sent upstream unchecked"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("POST /v1/batches")
                .hasMessageContaining("not served by the request pipeline");
        assertThat(routes.all()).isEmpty();
    }

    @Test
    void keepsLocalRoutesInOrder() {
        Routes routes = new Routes(Ticker.system())
                .local(Method.GET, "/health/live", (request, response) -> response.send("ok"))
                .local(Method.DELETE, "/admin/keys/{id}", (request, response) -> response.send("revoked"));

        assertThat(routes.all()).extracting(Routes.Route::toString)
                .containsExactly("GET /health/live", "DELETE /admin/keys/{id}");
    }
}
