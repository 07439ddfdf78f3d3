/**
 * floe's few error classes, chosen by what the caller does next. Wrap lower errors with
 * `{ cause }` at boundaries; messages name the table, column, offset or file and the bad value.
 */

/** A setting is missing or wrong: fix the config, do not retry. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A transient failure (network, lock, server restart): retry with backoff. */
export class RetryableError extends Error {
  override name = 'RetryableError';
}

/** The catalog's atomic swap lost a race or a requirement failed: refresh and retry. */
export class CommitConflictError extends Error {
  override name = 'CommitConflictError';
}

/** The commit may or may not have landed: check the table for our commit id before retrying. */
export class CommitStateUnknownError extends Error {
  override name = 'CommitStateUnknownError';
}

/**
 * Another floe sync moved the table's checkpoint (its offsets or source position) since this
 * one read it: two syncs are writing one table. Stop, do not re-plan: this sync's offsets are stale.
 */
export class ConcurrentSyncError extends Error {
  override name = 'ConcurrentSyncError';
}

/** A source or table type floe cannot map: change the config or the schema. */
export class UnsupportedTypeError extends Error {
  override name = 'UnsupportedTypeError';
}

/** A change event that cannot be applied: handled by the bad-event policy. */
export class BadEventError extends Error {
  override name = 'BadEventError';
}

/** A file that is missing, corrupt or of an unknown version; the message names the file. */
export class CorruptFileError extends Error {
  override name = 'CorruptFileError';
}

/** The table or namespace named does not exist (or already exists, for creates). */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
export class AlreadyExistsError extends Error {
  override name = 'AlreadyExistsError';
}

/** An error as it crosses a thread boundary: its class name, message and stack. */
export interface ErrorDescription {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

const CLASSES: Record<string, new (message: string) => Error> = {
  ConfigError,
  RetryableError,
  CommitConflictError,
  CommitStateUnknownError,
  ConcurrentSyncError,
  UnsupportedTypeError,
  BadEventError,
  CorruptFileError,
  NotFoundError,
  AlreadyExistsError,
};

/** `error` as plain data for postMessage. */
export function describeError(error: unknown): ErrorDescription {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) };
}

/** The error `d` describes, as floe's class of that name (plain Error for others); the stack is the original one. */
export function errorFromDescription(d: ErrorDescription): Error {
  const error = new (CLASSES[d.name] ?? Error)(d.message);
  if (d.stack !== undefined) error.stack = d.stack;
  return error;
}
