/**
 * The one logging contract of the project (data plane, control plane, CLI, item-metadata import).
 * Powertools' Logger satisfies it on Lambda; `p13n serve` passes a quiet line logger; tests pass
 * `silentLogger` or a recorder. Attributes are plain data so every back end can render them.
 */

export type LogAttributes = Record<string, unknown>;

/** Rest attributes so Powertools' Logger (whose extra input is a list) satisfies it as is. */
export interface Logger {
  debug(message: string, ...attributes: LogAttributes[]): void;
  info(message: string, ...attributes: LogAttributes[]): void;
  warn(message: string, ...attributes: LogAttributes[]): void;
  error(message: string, ...attributes: LogAttributes[]): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/**
 * Turns an error into loggable data: name, message, code and the chain of causes. Stacks are kept for
 * logs only; they never reach a client.
 */
export function describeError(err: unknown, withStack = false): LogAttributes {
  if (!(err instanceof Error)) return { message: String(err) };
  const out: LogAttributes = { name: err.name, message: err.message };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') out.code = code;
  if (withStack && err.stack) out.stack = err.stack;
  if (err.cause !== undefined) out.cause = describeError(err.cause, withStack);
  return out;
}

/**
 * Readable one-line logs for a terminal (`p13n serve`): `level message key=value …`, debug dropped.
 *
 * @example
 * const logger = lineLogger((line) => process.stderr.write(`${line}\n`));
 */
export function lineLogger(write: (line: string) => void): Logger {
  const line = (level: string) => (message: string, attributes?: LogAttributes) => {
    const extras = Object.entries(attributes ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    write([level, message, ...extras].join(' '));
  };
  return { debug() {}, info: line('info'), warn: line('warn'), error: line('error') };
}
