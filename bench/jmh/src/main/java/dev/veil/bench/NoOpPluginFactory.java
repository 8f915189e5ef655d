package dev.veil.bench;

import java.util.Optional;

import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.plugin.CompletionPhase;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.InterceptPhase;
import dev.veil.spi.plugin.Outcome;
import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginFactory;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.plugin.RequestPhase;
import dev.veil.spi.plugin.ResponsePhase;

/** A plugin that takes part in every non-stream phase and does nothing: the chain's own cost, measured alone. */
public final class NoOpPluginFactory implements PluginFactory {
    @Override
    public String name() {
        return "no-op";
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public Plugin create(PluginSettings settings, PluginContext context) {
        return new NoOp();
    }

    static final class NoOp implements RequestPhase, InterceptPhase, ResponsePhase, CompletionPhase {
        @Override
        public ChatRequest onRequest(ChatRequest request, Exchange exchange) {
            return request;
        }

        @Override
        public Optional<ChatResponse> intercept(ChatRequest request, Exchange exchange) {
            return Optional.empty();
        }

        @Override
        public ChatResponse onResponse(ChatResponse response, Exchange exchange) {
            return response;
        }

        @Override
        public void onCompletion(Outcome outcome, Exchange exchange) {
        }
    }
}
