// Runs the official `openai` npm client's Responses API (client.responses) against a running Veil and checks that it
// understands what Veil sends, for each upstream kind Veil serves it on.
//
//   VEIL_BASE_URL  Veil's OpenAI base URL, including /v1 (e.g. http://127.0.0.1:8080/v1)
//   VEIL_API_KEY   a key Veil accepts
//
// Prints one line per check and exits non-zero when any failed. OpenAiNodeSdkResponsesTest runs it against fake
// upstreams set up for these models, for each upstream in UPSTREAMS:
//   <model>         echoes the last user message (streamed word by word)
//   <model>-tools   calls get_weather with WEATHER_ARGUMENTS, and answers FINAL_ANSWER once it gets the tool's output
//   <model>-broken  streams "The partial " and then fails mid-stream
//   openai/gpt-4o-upstream-error  streams "The partial " and then OpenAI's own error event, relayed as it came
// and checks on its side that the JSON schema of the structured-output check and the whole conversation of the
// three-turn check reached each upstream.

import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { Checks, assertErrorClass, requiredEnv } from './harness.mjs';

const baseURL = requiredEnv('VEIL_BASE_URL', 'ending in /v1');
const apiKey = requiredEnv('VEIL_API_KEY', 'ending in /v1');
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });

const UPSTREAMS = [
  { name: 'OpenAI relayed', model: 'openai/gpt-4o', callId: 'call_node_weather' },
  { name: 'OpenAI-compatible', model: 'deepseek/deepseek-chat', callId: 'call_node_weather' },
  { name: 'Anthropic', model: 'anthropic/claude-test', callId: 'call_node_weather' },
  // Gemini has no call ids: Veil makes them up.
  { name: 'Gemini', model: 'google/gemini-2.5-flash', callId: undefined },
];

const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
  strict: true,
};
const WEATHER_ARGUMENTS = { city: 'Oslo', unit: 'celsius' };
const TOOL_OUTPUT = '{"celsius":21}';
const FINAL_ANSWER = 'It is 21 degrees in Oslo.';
const FORECAST_FORMAT = {
  type: 'json_schema',
  name: 'forecast',
  strict: true,
  schema: {
    type: 'object',
    properties: { city: { type: 'string' }, celsius: { type: 'integer' } },
    required: ['city', 'celsius'],
    additionalProperties: false,
  },
};

const checks = new Checks(OpenAI.APIError);
const check = (name, run) => checks.add(name, run);

for (const upstream of UPSTREAMS) {
  const { model } = upstream;

  check(`${upstream.name}: create answers with output_text, status and usage`, async () => {
    const response = await client.responses.create({ model, input: 'Hello from the Node SDK' });
    assert.equal(response.object, 'response');
    assert.match(response.id, /^resp_/);
    assert.equal(response.status, 'completed');
    assert.equal(response.output_text, 'Hello from the Node SDK');
    assertUsage(response.usage);
  });

  check(`${upstream.name}: a stream's deltas make the answer and it ends with response.completed`, async () => {
    const events = [];
    for await (const event of await client.responses.create({ model, input: 'stream these five words',
      stream: true })) {
      events.push(event);
    }
    assert.equal(events[0].type, 'response.created');
    assert.equal(events.at(-1).type, 'response.completed');
    assert.equal(deltas(events), 'stream these five words');
    const numbers = events.map((event) => event.sequence_number);
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
    assert.equal(events.at(-1).response.output_text ?? outputText(events.at(-1).response), 'stream these five words');
    assertUsage(events.at(-1).response.usage);
  });

  check(`${upstream.name}: responses.stream().finalResponse() assembles the answer`, async () => {
    const stream = client.responses.stream({ model, input: 'assemble these words' });
    let streamed = '';
    stream.on('response.output_text.delta', (event) => {
      streamed += event.delta;
    });
    const response = await stream.finalResponse();
    assert.equal(streamed, 'assemble these words');
    assert.equal(response.status, 'completed');
    assert.equal(response.output_text, 'assemble these words');
  });

  check(`${upstream.name}: a provider failure mid-stream raises APIError after the partial text`, async () => {
    const stream = await client.responses.create({ model: `${model}-broken`, input: 'tell me a story',
      stream: true });
    const events = [];
    await assert.rejects(
      (async () => {
        for await (const event of stream) {
          events.push(event);
        }
      })(),
      (error) => {
        assertErrorClass(error, OpenAI.APIError);
        return true;
      },
      'the stream ended without an error: a truncated answer would pass as complete');
    assert.equal(deltas(events), 'The partial ');
    assert.ok(!events.some((event) => event.type === 'response.completed'), 'a failed stream was completed');
  });

  check(`${upstream.name}: a failing stream rejects finalResponse()`, async () => {
    const stream = client.responses.stream({ model: `${model}-broken`, input: 'tell me a story' });
    await assert.rejects(stream.finalResponse(), (error) => {
      assertErrorClass(error, OpenAI.OpenAIError);
      return true;
    });
  });

  check(`${upstream.name}: a function tool round trip with previous_response_id`, async () => {
    const first = await client.responses.create({ model: `${model}-tools`, input: 'weather in Oslo?',
      tools: [WEATHER_TOOL] });
    const call = onlyFunctionCall(first, upstream);
    const second = await client.responses.create({
      model: `${model}-tools`,
      previous_response_id: first.id,
      tools: [WEATHER_TOOL],
      input: [{ type: 'function_call_output', call_id: call.call_id, output: TOOL_OUTPUT }],
    });
    assert.equal(second.previous_response_id, first.id);
    assert.equal(second.output_text, FINAL_ANSWER);
  });

  check(`${upstream.name}: a function tool round trip with the items sent back as input`, async () => {
    const input = [{ role: 'user', content: 'weather in Oslo?' }];
    const first = await client.responses.create({ model: `${model}-tools`, input, tools: [WEATHER_TOOL],
      store: false });
    const call = onlyFunctionCall(first, upstream);
    const second = await client.responses.create({
      model: `${model}-tools`,
      tools: [WEATHER_TOOL],
      store: false,
      input: [...input, ...first.output, { type: 'function_call_output', call_id: call.call_id, output: TOOL_OUTPUT }],
    });
    assert.equal(second.output_text, FINAL_ANSWER);
  });

  check(`${upstream.name}: a streamed function call assembles in finalResponse()`, async () => {
    const stream = client.responses.stream({ model: `${model}-tools`, input: 'weather in Oslo?',
      tools: [WEATHER_TOOL] });
    let streamed = '';
    stream.on('response.function_call_arguments.delta', (event) => {
      streamed += event.delta;
    });
    const response = await stream.finalResponse();
    const call = onlyFunctionCall(response, upstream);
    assert.deepEqual(JSON.parse(streamed), WEATHER_ARGUMENTS);
    assert.deepEqual(JSON.parse(call.arguments), WEATHER_ARGUMENTS);
  });

  check(`${upstream.name}: structured output with text.format json_schema parses into output_parsed`, async () => {
    const response = await client.responses.parse({
      model,
      input: '{"city":"Oslo","celsius":21}',
      text: { format: FORECAST_FORMAT },
    });
    assert.equal(response.status, 'completed');
    assert.deepEqual(response.output_parsed, { city: 'Oslo', celsius: 21 });
  });

  check(`${upstream.name}: a three-turn previous_response_id chain answers each turn`, async () => {
    const turns = ['Node turn one: my colour is teal', 'Node turn two: my pet is a heron',
      'Node turn three: what do you know?'];
    let previous;
    for (const turn of turns) {
      const response = await client.responses.create({ model, input: turn, previous_response_id: previous?.id });
      assert.equal(response.output_text, turn);
      assert.equal(response.previous_response_id ?? undefined, previous?.id);
      previous = response;
    }
  });

  check(`${upstream.name}: retrieve, input_items and delete; then NotFoundError`, async () => {
    const created = await client.responses.create({ model, input: 'Keep me' });
    const retrieved = await client.responses.retrieve(created.id);
    assert.equal(retrieved.id, created.id);
    assert.equal(retrieved.output_text, 'Keep me');
    const items = [];
    for await (const item of client.responses.inputItems.list(created.id)) {
      items.push(item);
    }
    assert.equal(items.length, 1);
    assert.equal(items[0].type, 'message');
    assert.equal(items[0].role, 'user');
    assert.equal(items[0].content[0].text, 'Keep me');
    await client.responses.delete(created.id);
    for (const gone of [() => client.responses.retrieve(created.id), () => client.responses.delete(created.id),
      () => client.responses.inputItems.list(created.id)]) {
      await assert.rejects(gone(), (error) => {
        assertErrorClass(error, OpenAI.NotFoundError);
        assert.equal(error.status, 404);
        return true;
      });
    }
  });
}

check("OpenAI relayed: OpenAI's own error event reaches the client and the SDK raises, never completed", async () => {
  // Veil relays the upstream's events unchanged; OpenAI nests the error's fields under error, which the SDK raises on.
  const events = [];
  await assert.rejects(async () => {
    for await (const event of await client.responses.create({ model: 'openai/gpt-4o-upstream-error',
      input: 'tell me a story', stream: true })) {
      events.push(event);
    }
  }, (error) => {
    assert.match(String(error.message), /generation failed/);
    return true;
  });
  assert.equal(deltas(events), 'The partial ');
  assert.ok(!events.some((event) => event.type === 'response.completed'), 'a failed stream was completed');
});

// Helpers -------------------------------------------------------------------------------------------------------

function deltas(events) {
  return events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
}

function outputText(response) {
  return response.output.filter((item) => item.type === 'message')
    .flatMap((item) => item.content).filter((part) => part.type === 'output_text')
    .map((part) => part.text).join('');
}

function onlyFunctionCall(response, upstream) {
  const calls = response.output.filter((item) => item.type === 'function_call');
  assert.equal(calls.length, 1, `function calls in ${JSON.stringify(response.output)}`);
  const call = calls[0];
  assert.equal(call.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.arguments), WEATHER_ARGUMENTS);
  if (upstream.callId) {
    assert.equal(call.call_id, upstream.callId);
  } else {
    assert.ok(call.call_id, 'the function call has no call_id');
  }
  return call;
}

function assertUsage(usage) {
  assert.ok(usage, 'usage is missing');
  assert.ok(usage.input_tokens > 0, `input_tokens: ${usage.input_tokens}`);
  assert.ok(usage.output_tokens > 0, `output_tokens: ${usage.output_tokens}`);
  assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
}

await checks.run(baseURL);
