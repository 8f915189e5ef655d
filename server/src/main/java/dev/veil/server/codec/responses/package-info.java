/**
 * OpenAI's Responses API wire format ({@code POST /v1/responses}), both ways, with no server wiring.
 *
 * <ul>
 *   <li>{@link dev.veil.server.codec.responses.ResponsesRequests#parse} reads a request into a
 *       {@link dev.veil.server.codec.responses.ResponsesCall} (the canonical request, the normalized input items, the
 *       conversation and storage parameters, and what the Response repeats);
 *       {@link dev.veil.server.codec.responses.ResponsesRequests#messages} converts stored items to messages.</li>
 *   <li>{@link dev.veil.server.codec.responses.ResponsesWriter#response} writes a canonical answer as a Response
 *       object; {@link dev.veil.server.codec.responses.ResponsesStreamWriter} turns a canonical chunk stream into the
 *       Responses streaming events; {@link dev.veil.server.codec.responses.ResponseIds} makes ids,
 *       {@link dev.veil.server.codec.responses.ResponseHead} is what every Response of an exchange shares.</li>
 *   <li>{@link dev.veil.server.codec.responses.ResponsesAnswers} reads an OpenAI Responses upstream's answers and
 *       events back into the canonical model; {@link dev.veil.server.codec.responses.ResponsesUsage} maps usage both
 *       ways.</li>
 * </ul>
 */
package dev.veil.server.codec.responses;
