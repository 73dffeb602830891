import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (access token, app secret, API key). It never serialises: JSON.stringify, util.inspect,
 * template strings and pino all see `[redacted]`. Only `reveal()` gives the value, at the point of use.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return REDACTED;
  }
  toString(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}
