package dev.veil.server.plugins;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import dev.veil.spi.ChatChunk;
import dev.veil.spi.ChatMessage;
import dev.veil.spi.ChatRequest;
import dev.veil.spi.ChatResponse;
import dev.veil.spi.Choice;
import dev.veil.spi.ChunkChoice;
import dev.veil.spi.ContentPart;
import dev.veil.spi.ErrorKind;
import dev.veil.spi.Extensions;
import dev.veil.spi.FinishReason;
import dev.veil.spi.RawJson;
import dev.veil.spi.Role;
import dev.veil.spi.Usage;
import dev.veil.spi.VeilException;
import dev.veil.spi.plugin.Attempt;
import dev.veil.spi.plugin.AttemptPhase;
import dev.veil.spi.plugin.AttributeKey;
import dev.veil.spi.plugin.Attributes;
import dev.veil.spi.plugin.CompletionPhase;
import dev.veil.spi.plugin.DecisionPhase;
import dev.veil.spi.plugin.Exchange;
import dev.veil.spi.plugin.InterceptPhase;
import dev.veil.spi.plugin.Outcome;
import dev.veil.spi.plugin.Plugin;
import dev.veil.spi.plugin.PluginContext;
import dev.veil.spi.plugin.PluginFactory;
import dev.veil.spi.plugin.PluginSettings;
import dev.veil.spi.plugin.RequestPhase;
import dev.veil.spi.plugin.ResponsePhase;
import dev.veil.spi.plugin.Route;
import dev.veil.spi.plugin.StreamPhase;
import dev.veil.spi.plugin.StreamSink;
import dev.veil.spi.plugin.StreamTransformer;
import dev.veil.spi.plugin.Target;

/** Small plugins that make each part of the chain's contract observable; registered as built-ins for tests. */
public final class TestPlugins {
    /** What the tagger plugins saw, in order, shared with the completion recorder. */
    static final AttributeKey<String> TAGS = AttributeKey.of("test.tags", String.class);
    /** Outcomes seen by the completion recorder, for the test to take. */
    public static final BlockingQueue<Outcome> OUTCOMES = new LinkedBlockingQueue<>();
    /** Tags the completion recorder read from the exchange. */
    static final BlockingQueue<String> SEEN_TAGS = new LinkedBlockingQueue<>();

    /** Why zero retention applied to each completed exchange ({@code none} when it did not), in completion order. */
    public static final BlockingQueue<String> RETENTION = new LinkedBlockingQueue<>();

    /** Attempts seen by the route setter, for the test to take. */
    public static final BlockingQueue<Attempt> ATTEMPTS = new LinkedBlockingQueue<>();

    private TestPlugins() {
    }

    /**
     * Sets the route from its settings — targets, context fallbacks, retries, backoff, deadline — and records every
     * attempt: the dispatch side of routing, without the routing plugin's strategies.
     */
    public static final class RouteSetterFactory extends Factory {
        @Override
        public String name() {
            return "test-route";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            settings.rejectUnknown(Set.of("targets", "context-fallbacks", "retries", "backoff", "deadline"));
            Route route = new Route(settings.strings("targets").stream().map(Target::parse).toList(),
                    settings.strings("context-fallbacks").stream().map(Target::parse).toList(),
                    (int) settings.integer("retries", 0), settings.duration("backoff", Duration.ZERO),
                    settings.duration("deadline", Route.DEFAULT_DEADLINE));
            return new RouteSetter(route);
        }
    }

    record RouteSetter(Route route) implements RequestPhase, AttemptPhase {
        @Override
        public ChatRequest onRequest(ChatRequest request, Exchange exchange) {
            exchange.put(Attributes.ROUTE, route);
            return request;
        }

        @Override
        public void onAttempt(Attempt attempt, Exchange exchange) {
            ATTEMPTS.add(attempt);
        }
    }

    private abstract static class Factory implements PluginFactory {
        @Override
        public int spiVersion() {
            return SPI_VERSION;
        }
    }

    /** Marks the prompt, the answer and each streamed delta with its tag, to show the order plugins run in. */
    public static final class TaggerFactory extends Factory {
        @Override
        public String name() {
            return "tagger";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            settings.rejectUnknown(Set.of("tag"));
            return new Tagger(settings.requiredString("tag"));
        }
    }

    static final class Tagger implements RequestPhase, ResponsePhase, StreamPhase {
        private final String tag;

        Tagger(String tag) {
            this.tag = tag;
        }

        @Override
        public ChatRequest onRequest(ChatRequest request, Exchange exchange) {
            exchange.put(TAGS, exchange.get(TAGS).orElse("") + tag);
            List<ChatMessage> messages = new ArrayList<>(request.messages());
            ChatMessage last = messages.remove(messages.size() - 1);
            messages.add(last.withContent(List.of(ContentPart.text(last.text() + "[" + tag + "]"))));
            return request.withMessages(messages);
        }

        @Override
        public ChatResponse onResponse(ChatResponse response, Exchange exchange) {
            List<Choice> choices = new ArrayList<>();
            for (Choice choice : response.choices()) {
                choices.add(new Choice(choice.index(), choice.message().withContent(List.of(ContentPart.text(
                        choice.message().text() + "<" + tag + ">"))), choice.finishReason(), choice.extensions()));
            }
            return response.withChoices(choices);
        }

        @Override
        public StreamTransformer openStream(ChatRequest request, Exchange exchange) {
            return (event, sink) -> {
                List<ChunkChoice> choices = new ArrayList<>();
                for (ChunkChoice choice : event.choices()) {
                    choices.add(choice.delta().content().filter(text -> !text.isEmpty())
                            .map(text -> new ChunkChoice(choice.index(), choice.delta().withContent(
                                    text + "<" + tag + ">"), choice.finishReason(), choice.extensions()))
                            .orElse(choice));
                }
                sink.emit(event.withChoices(choices));
            };
        }
    }

    /** Rejects prompts that contain its word, as a policy plugin would. */
    public static final class RejectorFactory extends Factory {
        @Override
        public String name() {
            return "rejector";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            String word = settings.requiredString("word");
            return (RequestPhase) (request, exchange) -> {
                for (ChatMessage message : request.messages()) {
                    if (message.text().contains(word)) {
                        throw new VeilException(ErrorKind.PERMISSION_DENIED, "the prompt contains a blocked word")
                                .withCode("blocked_by_plugin");
                    }
                }
                return request;
            };
        }
    }

    /** Answers requests for its model itself. */
    public static final class InterceptorFactory extends Factory {
        @Override
        public String name() {
            return "interceptor";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            String model = settings.requiredString("model");
            return (InterceptPhase) (request, exchange) -> request.model().equals(model)
                    ? Optional.of(new ChatResponse("intercepted-1", 1_700_000_000L, model, List.of(new Choice(0,
                    ChatMessage.text(Role.ASSISTANT, "from the interceptor"), Optional.of(FinishReason.STOP),
                    Extensions.NONE)), Optional.of(Usage.of(3, 4)), Optional.empty(), Extensions.NONE))
                    : Optional.empty();
        }
    }

    /** Throws in the phase its settings name. */
    public static final class ExplodingFactory extends Factory {
        @Override
        public String name() {
            return "exploding";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            String phase = settings.requiredString("phase");
            return switch (phase) {
                case "request" -> (RequestPhase) (request, exchange) -> {
                    throw new IllegalStateException("boom with " + request.messages().get(0).text());
                };
                case "request-error" -> (RequestPhase) (request, exchange) -> {
                    throw new AssertionError("an error no guard maps, with " + request.messages().get(0).text());
                };
                case "stream" -> (StreamPhase) (request, exchange) -> (event, sink) -> {
                    throw new IllegalStateException("boom mid-stream");
                };
                case "completion" -> (CompletionPhase) (outcome, exchange) -> {
                    throw new IllegalStateException("boom after the answer");
                };
                default -> throw settings.invalid("phase", "must be request, request-error, stream or completion");
            };
        }
    }

    /** Released by the test once done: what the {@code stuck} plugin waits for, deaf to interrupts. */
    public static final java.util.concurrent.CountDownLatch STUCK = new java.util.concurrent.CountDownLatch(1);

    /** Waits in the request phase until the test releases it, ignoring interrupts: only abandoning it helps. */
    public static final class StuckFactory extends Factory {
        @Override
        public String name() {
            return "stuck";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            return (RequestPhase) (request, exchange) -> {
                while (STUCK.getCount() > 0) {
                    try {
                        STUCK.await();
                    } catch (InterruptedException e) {
                        // Deaf on purpose.
                    }
                }
                return request;
            };
        }
    }

    /** Takes its time in the request phase: blocks until the chain's timeout interrupts it. */
    public static final class SlowFactory extends Factory {
        @Override
        public String name() {
            return "slow";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            return (RequestPhase) (request, exchange) -> {
                try {
                    new java.util.concurrent.CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return request;
            };
        }
    }

    /** Holds every streamed event back and releases them all, then one more, when the stream completes. */
    public static final class HoldbackFactory extends Factory {
        @Override
        public String name() {
            return "holdback";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            return (StreamPhase) (request, exchange) -> new StreamTransformer() {
                private final List<ChatChunk> held = new ArrayList<>();

                @Override
                public void onEvent(ChatChunk event, StreamSink sink) {
                    held.add(event);
                }

                @Override
                public void onComplete(StreamSink sink) {
                    held.forEach(sink::emit);
                    ChatChunk template = held.get(held.size() - 1);
                    sink.emit(template.withChoices(List.of(new ChunkChoice(0,
                            dev.veil.spi.Delta.content(" [released " + held.size() + "]"), Optional.empty(),
                            Extensions.NONE))).withoutUsage());
                }
            };
        }
    }

    /** Hands every outcome, and the tags other plugins recorded, to the test. */
    public static final class CompletionRecorderFactory extends Factory {
        @Override
        public String name() {
            return "completion-recorder";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            return (CompletionPhase) (outcome, exchange) -> {
                SEEN_TAGS.add(exchange.get(TAGS).orElse(""));
                OUTCOMES.add(outcome);
            };
        }
    }

    /**
     * Records, at completion, whether zero retention applied and why ({@code "none"} when it did not), as the audit
     * record will: what the exchange leaves for the audit log, observable from a test.
     */
    public static final class RetentionRecorderFactory extends Factory {
        @Override
        public String name() {
            return "retention-recorder";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            return (CompletionPhase) (outcome, exchange) -> RETENTION.add(
                    exchange.get(Attributes.ZERO_RETENTION).orElse(false)
                            ? exchange.get(Attributes.ZERO_RETENTION_REASON).orElse("unknown") : "none");
        }
    }

    /**
     * Tries to undo zero retention: turns the exchange's flag off in the request phase and asks the provider to store
     * the request in the decision phase. Veil must refuse both.
     */
    public static final class RetentionUndoerFactory extends Factory {
        @Override
        public String name() {
            return "retention-undoer";
        }

        @Override
        public Plugin create(PluginSettings settings, PluginContext context) {
            return new RetentionUndoer();
        }
    }

    static final class RetentionUndoer implements RequestPhase, DecisionPhase {
        @Override
        public ChatRequest onRequest(ChatRequest request, Exchange exchange) {
            exchange.put(Attributes.ZERO_RETENTION, false);
            return request;
        }

        @Override
        public ChatRequest onDecision(ChatRequest request, Exchange exchange) {
            return request.withExtensions(request.extensions().with("store", new RawJson("true")));
        }
    }
}
