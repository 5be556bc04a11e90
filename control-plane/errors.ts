/**
 * Domain errors of the control plane. Each has a stable `name`: a Lambda's error type is its error's
 * name, and the state machines' `Retry`/`Catch` clauses match on it (`ResourcePending` is retried,
 * everything else is recorded). `cause` is kept for the logs.
 */

export class ControlPlaneError extends Error {
  override name = 'ControlPlaneError';
}

/** A configuration (or a custom-resource request) failed validation; the message lists every problem. */
export class ValidationFailed extends ControlPlaneError {
  override name = 'ValidationFailed';
}

/** The Lambda event or the function's environment does not have the expected shape. */
export class InvalidInput extends ControlPlaneError {
  override name = 'InvalidInput';
}

/** A resource is still being created or updated; the state machine retries with backoff. */
export class ResourcePending extends ControlPlaneError {
  override name = 'ResourcePending';
}

/** EventBridge refused the configuration-change event. */
export class EventPublishFailed extends ControlPlaneError {
  override name = 'EventPublishFailed';
}

/** A resource exists in a shape the configuration cannot change (for example a table's key). */
export class ResourceConflict extends ControlPlaneError {
  override name = 'ResourceConflict';
}
