// Runs the official `@anthropic-ai/sdk` npm client against a running Veil's /v1/messages and checks that it
// understands what Veil sends.
//
//   VEIL_BASE_URL  Veil's base URL, without /v1 (e.g. http://127.0.0.1:8080); the SDK appends /v1/messages
//   VEIL_API_KEY   a key Veil accepts (sent as x-api-key)
//
// Prints one line per check and exits non-zero at the first failure. AnthropicNodeSdkCompatibilityTest runs it against
// fake upstreams set up for these models:
//   gpt-4o, claude-test     echo the last user message (streamed word by word); the first on an OpenAI upstream,
//                           the second on an Anthropic upstream
//   gpt-tools, claude-tools call get_weather with the input in WEATHER_INPUT, streamed in fragments
//   claude-broken           streams "The partial " and then fails mid-stream

import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { Checks, assertErrorClass, requiredEnv } from './harness.mjs';

const baseURL = requiredEnv('VEIL_BASE_URL', 'without /v1');
const apiKey = requiredEnv('VEIL_API_KEY', 'without /v1');
const client = new Anthropic({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const WEATHER_INPUT = { city: 'Oslo' };

const checks = new Checks(Anthropic.APIError);
const check = (name, run) => checks.add(name, run);

for (const model of ['gpt-4o', 'claude-test']) {
  check(`${model}: message with text, stop_reason and usage`, async () => {
    const message = await client.messages.create({
      model,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hello from the Node SDK' }],
    });
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.deepEqual(message.content.map((block) => block.type), ['text']);
    assert.equal(message.content[0].text, 'Hello from the Node SDK');
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.input_tokens > 0, `input_tokens: ${message.usage.input_tokens}`);
    assert.ok(message.usage.output_tokens > 0, `output_tokens: ${message.usage.output_tokens}`);
  });

  check(`${model}: streaming events and the stream helper's finalMessage()`, async () => {
    const params = { model, max_tokens: 256, messages: [{ role: 'user', content: 'stream these five words' }] };
    const events = [];
    for await (const event of await client.messages.create({ ...params, stream: true })) {
      events.push(event);
    }
    assert.equal(events[0].type, 'message_start');
    assert.equal(events.at(-1).type, 'message_stop');
    const text = events.filter((e) => e.type === 'content_block_delta' && e.delta.type === 'text_delta')
      .map((e) => e.delta.text).join('');
    assert.equal(text, 'stream these five words');

    const stream = client.messages.stream(params);
    let streamed = '';
    stream.on('text', (delta) => { streamed += delta; });
    const message = await stream.finalMessage();
    assert.equal(streamed, 'stream these five words');
    assert.equal(message.content[0].text, 'stream these five words');
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.output_tokens > 0);
  });
}

for (const model of ['gpt-tools', 'claude-tools']) {
  check(`${model}: tool use, as a message and streamed`, async () => {
    const params = {
      model,
      max_tokens: 256,
      tools: [WEATHER_TOOL],
      messages: [{ role: 'user', content: 'weather in Oslo?' }],
    };
    const message = await client.messages.create(params);
    const streamed = await client.messages.stream(params).finalMessage();
    for (const answer of [message, streamed]) {
      assert.equal(answer.stop_reason, 'tool_use');
      const use = answer.content.find((block) => block.type === 'tool_use');
      assert.ok(use, `no tool_use block in ${JSON.stringify(answer.content)}`);
      assert.equal(use.id, 'toolu_node');
      assert.equal(use.name, 'get_weather');
      assert.deepEqual(use.input, WEATHER_INPUT);
    }
  });
}

check('tool result: the conversation continues with a tool_result block', async () => {
  const message = await client.messages.create({
    model: 'claude-test',
    max_tokens: 256,
    tools: [WEATHER_TOOL],
    messages: [
      { role: 'user', content: 'weather in Oslo?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_node', name: 'get_weather', input: WEATHER_INPUT }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_node', content: '12 C' },
        { type: 'text', text: 'thanks' }] },
    ],
  });
  assert.equal(message.content[0].text, 'thanks');
});

check('count_tokens: an estimate', async () => {
  const count = await client.messages.countTokens({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'How many tokens is this?' }],
  });
  assert.ok(count.input_tokens > 0, `input_tokens: ${count.input_tokens}`);
});

check('error: a wrong key raises AuthenticationError (401)', async () => {
  const wrongKey = new Anthropic({ baseURL, apiKey: 'not-the-veil-key', maxRetries: 0, timeout: 30_000 });
  await assert.rejects(
    wrongKey.messages.create({ model: 'gpt-4o', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    (error) => {
      assertErrorClass(error, Anthropic.AuthenticationError);
      assert.equal(error.status, 401);
      assert.equal(error.error?.error?.type, 'authentication_error');
      return true;
    });
});

check('error: an unknown model raises NotFoundError (404)', async () => {
  await assert.rejects(
    client.messages.create({ model: 'no-such-model', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    (error) => {
      assertErrorClass(error, Anthropic.NotFoundError);
      assert.equal(error.error?.error?.type, 'not_found_error');
      return true;
    });
});

check('error: invalid input raises BadRequestError (400)', async () => {
  await assert.rejects(
    client.messages.create({ model: 'gpt-4o', max_tokens: 5, messages: [] }),
    (error) => {
      assertErrorClass(error, Anthropic.BadRequestError);
      assert.equal(error.error?.error?.type, 'invalid_request_error');
      return true;
    });
});

check('error: a stream that fails mid-way raises after the partial text', async () => {
  const stream = await client.messages.create({
    model: 'claude-broken',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'tell me a story' }],
    stream: true,
  });
  let received = '';
  await assert.rejects(
    (async () => {
      for await (const event of stream) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          received += event.delta.text;
        }
      }
    })(),
    (error) => {
      assertErrorClass(error, Anthropic.APIError);
      return true;
    },
    'the stream ended without an error: a truncated answer would pass as complete');
  assert.equal(received, 'The partial ');
});

await checks.run(baseURL);
