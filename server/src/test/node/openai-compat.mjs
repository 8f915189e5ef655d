// Runs the official `openai` npm client against a running Veil and checks that it understands what Veil sends.
//
//   VEIL_BASE_URL  Veil's OpenAI base URL, including /v1 (e.g. http://127.0.0.1:8080/v1)
//   VEIL_API_KEY   a key Veil accepts
//
// Prints one line per check and exits non-zero at the first failure. OpenAiNodeSdkCompatibilityTest runs it against
// a fake upstream set up for these models:
//   smart                   echoes the last user message (streamed word by word)
//   tools                   calls get_weather with the arguments in WEATHER_ARGUMENTS, streamed in fragments
//   broken                  streams "The partial " and then fails mid-stream
//   text-embedding-3-small  embeds every input as [0.5, -0.25, 0.125]
// and asserts that the tool definition below reached the upstream intact.

import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { Checks, assertErrorClass, requiredEnv } from './harness.mjs';

const baseURL = requiredEnv('VEIL_BASE_URL', 'ending in /v1');
const apiKey = requiredEnv('VEIL_API_KEY', 'ending in /v1');
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
    strict: true,
  },
};
const WEATHER_ARGUMENTS = '{"city":"Oslo","unit":"celsius"}';

const checks = new Checks(OpenAI.APIError);
const check = (name, run) => checks.add(name, run);

check('chat completion: content, finish_reason and usage', async () => {
  const completion = await client.chat.completions.create({
    model: 'smart',
    messages: [{ role: 'user', content: 'Hello from the Node SDK' }],
  });
  assert.equal(completion.object, 'chat.completion');
  assert.equal(completion.choices[0].message.role, 'assistant');
  assert.equal(completion.choices[0].message.content, 'Hello from the Node SDK');
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assertUsage(completion.usage);
});

check('streaming: deltas concatenate to the answer, no usage chunk unless asked', async () => {
  const chunks = await collect(await client.chat.completions.create({
    model: 'smart',
    messages: [{ role: 'user', content: 'stream these five words' }],
    stream: true,
  }));
  assert.equal(text(chunks), 'stream these five words');
  assert.deepEqual(finishReasons(chunks), ['stop']);
  for (const chunk of chunks) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.ok(chunk.usage == null, `unexpected usage in ${JSON.stringify(chunk)}`);
  }
});

check('streaming with include_usage: a final usage chunk with no choices', async () => {
  const chunks = await collect(await client.chat.completions.create({
    model: 'smart',
    messages: [{ role: 'user', content: 'count my tokens' }],
    stream: true,
    stream_options: { include_usage: true },
  }));
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assertUsage(last.usage);
  for (const chunk of chunks.slice(0, -1)) {
    assert.ok(chunk.usage == null, `usage before the last chunk: ${JSON.stringify(chunk)}`);
  }
  assert.equal(text(chunks), 'count my tokens');
});

check('tool call: id, name, arguments and finish_reason', async () => {
  const completion = await client.chat.completions.create({
    model: 'tools',
    messages: [{ role: 'user', content: 'weather in Oslo?' }],
    tools: [WEATHER_TOOL],
  });
  const choice = completion.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  assert.equal(choice.message.tool_calls.length, 1);
  const call = choice.message.tool_calls[0];
  assert.equal(call.id, 'call_node_1');
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.equal(call.function.arguments, WEATHER_ARGUMENTS);
});

check('streaming tool call: argument fragments assemble to the arguments', async () => {
  const chunks = await collect(await client.chat.completions.create({
    model: 'tools',
    messages: [{ role: 'user', content: 'weather in Oslo?' }],
    tools: [WEATHER_TOOL],
    stream: true,
  }));
  const calls = new Map();
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      for (const delta of choice.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { id: undefined, name: undefined, arguments: '' };
        call.id = delta.id ?? call.id;
        call.name = delta.function?.name ?? call.name;
        call.arguments += delta.function?.arguments ?? '';
        calls.set(delta.index, call);
      }
    }
  }
  assert.deepEqual([...calls.entries()],
    [[0, { id: 'call_node_1', name: 'get_weather', arguments: WEATHER_ARGUMENTS }]]);
  assert.deepEqual(finishReasons(chunks), ['tool_calls']);
});

check('stream helper: finalChatCompletion() assembles the streamed tool call', async () => {
  const stream = client.chat.completions.stream({
    model: 'tools',
    messages: [{ role: 'user', content: 'weather in Oslo?' }],
    tools: [WEATHER_TOOL],
  });
  const completion = await stream.finalChatCompletion();
  const choice = completion.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls[0].id, 'call_node_1');
  assert.equal(choice.message.tool_calls[0].function.name, 'get_weather');
  assert.equal(choice.message.tool_calls[0].function.arguments, WEATHER_ARGUMENTS);
});

check('embeddings: the default (base64 on the wire) decodes to the vector', async () => {
  const response = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'embed me' });
  assert.equal(response.data.length, 1);
  assert.deepEqual(Array.from(response.data[0].embedding), [0.5, -0.25, 0.125]);
  assert.equal(response.usage.prompt_tokens, 3);
});

check('embeddings: encoding_format float', async () => {
  const response = await client.embeddings.create({
    model: 'text-embedding-3-small',
    input: ['one', 'two'],
    encoding_format: 'float',
  });
  assert.deepEqual(response.data.map((item) => [item.index, item.embedding]),
    [[0, [0.5, -0.25, 0.125]], [1, [0.5, -0.25, 0.125]]]);
});

check('models: the alias "smart" is listed, owned by veil', async () => {
  const models = [];
  for await (const model of client.models.list()) {
    models.push(model);
  }
  const smart = models.filter((model) => model.id === 'smart');
  assert.equal(smart.length, 1, `models listed: ${models.map((model) => model.id).join(', ')}`);
  assert.equal(smart[0].object, 'model');
  assert.equal(smart[0].owned_by, 'veil');
});

check('error: a wrong key raises AuthenticationError (401)', async () => {
  const wrongKey = new OpenAI({ baseURL, apiKey: 'sk-not-the-veil-key', maxRetries: 0, timeout: 30_000 });
  await assert.rejects(
    wrongKey.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }),
    (error) => {
      assertErrorClass(error, OpenAI.AuthenticationError);
      assert.equal(error.status, 401);
      return true;
    });
});

check('error: an unknown model raises NotFoundError (404, model_not_found)', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
    (error) => {
      assertErrorClass(error, OpenAI.NotFoundError);
      assert.equal(error.status, 404);
      assert.equal(error.code, 'model_not_found');
      return true;
    });
});

check('error: invalid input raises BadRequestError (400) naming the param', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'smart', messages: [] }),
    (error) => {
      assertErrorClass(error, OpenAI.BadRequestError);
      assert.equal(error.status, 400);
      assert.equal(error.param, 'messages');
      return true;
    });
});

check('error: a stream that fails mid-way raises APIError after the partial text', async () => {
  const stream = await client.chat.completions.create({
    model: 'broken',
    messages: [{ role: 'user', content: 'tell me a story' }],
    stream: true,
  });
  let received = '';
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) {
        received += chunk.choices[0]?.delta?.content ?? '';
      }
    })(),
    (error) => {
      assertErrorClass(error, OpenAI.APIError);
      return true;
    },
    'the stream ended without an error: a truncated answer would pass as complete');
  assert.equal(received, 'The partial ');
});

// Helpers -------------------------------------------------------------------------------------------------------

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  assert.ok(chunks.length > 0, 'the stream had no chunks');
  return chunks;
}

function text(chunks) {
  return chunks.flatMap((chunk) => chunk.choices).map((choice) => choice.delta?.content ?? '').join('');
}

function finishReasons(chunks) {
  return chunks.flatMap((chunk) => chunk.choices).map((choice) => choice.finish_reason).filter((reason) => reason);
}

function assertUsage(usage) {
  assert.ok(usage, 'usage is missing');
  assert.ok(usage.prompt_tokens > 0, `prompt_tokens: ${usage.prompt_tokens}`);
  assert.ok(usage.completion_tokens > 0, `completion_tokens: ${usage.completion_tokens}`);
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
}

await checks.run(baseURL);
