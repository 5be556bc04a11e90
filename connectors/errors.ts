/**
 * Errors of the batch connectors. Each has a stable `name` (a Lambda's error type is its error's name,
 * and the state machine's `Retry`/`Catch` match on it) and says where the problem is: the job file and,
 * for input data, the line. A run that throws one writes no output and no sync state.
 */

export class ConnectorError extends Error {
  override name = 'ConnectorError';
}

/** The job's `config.json` is missing, unreadable or invalid; the message lists every problem with its path. */
export class JobConfigError extends ConnectorError {
  override name = 'JobConfigError';
}

/** A line of an input file (batch inference output, user-item mapping) cannot be used. */
export class JobInputError extends ConnectorError {
  override name = 'JobInputError';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}: line ${line}: ${reason}`);
  }
}

/** A destination refused its credentials or settings as a whole (for example Braze answering 401). */
export class DestinationError extends ConnectorError {
  override name = 'DestinationError';
}
