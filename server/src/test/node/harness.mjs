// What every client-compatibility script here shares: the environment Veil's tests start it in, the named checks it
// runs one after another, and the report the Java side reads: "ok <name>" or "FAIL <name>: <why>" per check, a last
// line, and exit code 1 when any check failed (2 when the environment is missing).
import assert from 'node:assert/strict';

/** The environment variable `name`; exits 2 naming it when it is not set. */
export function requiredEnv(name, baseUrlShape) {
  const value = process.env[name];
  if (!value) {
    console.log(`FAIL environment: ${name} is not set (VEIL_BASE_URL is Veil's base URL ${baseUrlShape}, `
      + 'VEIL_API_KEY a key it accepts)');
    process.exit(2);
  }
  return value;
}

export function assertErrorClass(error, expected) {
  assert.ok(error instanceof expected,
    `expected ${expected.name}, got ${error?.constructor?.name}: ${error?.message}`);
}

/** Named checks, run in the order they were added; `apiError` is the SDK's error class, described with its status. */
export class Checks {
  #checks = [];

  constructor(apiError) {
    this.apiError = apiError;
  }

  add(name, run) {
    this.#checks.push({ name, run });
  }

  /** Runs every check, reports each, and sets the exit code. */
  async run(baseURL) {
    let failed = 0;
    for (const { name, run } of this.#checks) {
      try {
        await run();
        console.log(`ok   ${name}`);
      } catch (error) {
        console.log(`FAIL ${name}: ${this.#describe(error)}`);
        failed++;
      }
    }
    if (failed) {
      console.log(`${failed} of ${this.#checks.length} checks failed against ${baseURL}`);
      process.exitCode = 1;
    } else {
      console.log(`all ${this.#checks.length} checks passed against ${baseURL}`);
    }
  }

  #describe(error) {
    if (error instanceof assert.AssertionError) {
      return error.message;
    }
    if (error instanceof this.apiError) {
      const status = error.status === undefined ? '' : ` (HTTP ${error.status})`;
      const cause = error.cause ? ` caused by ${error.cause.cause?.message ?? error.cause.message}` : '';
      return `${error.constructor.name}${status}: ${error.message}${cause}`;
    }
    return error?.stack ?? String(error);
  }
}
