/** The errors the controller side throws on purpose, each with a stable `code`. */
import type { ErrorAnswer } from './agent-answers';

/** Base of the controller's errors. */
export class ControllerError extends Error {
  readonly code: string = 'CONTROLLER_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A network or TLS failure: no HTTP answer at all. */
export class AgentUnreachable extends ControllerError {
  override readonly code = 'AGENT_UNREACHABLE';
}

/** The agent answered, but not with success (its body is kept). */
export class AgentRefused extends ControllerError {
  override readonly code = 'AGENT_REFUSED';
  constructor(readonly status: number, readonly body: ErrorAnswer | unknown, what: string) {
    const b = body as Partial<ErrorAnswer> | null;
    super(`${what} answered ${status}${b && typeof b.code === 'string' ? ` ${b.code}: ${b.message}` : ''}`);
  }
}

/** A command-line value or an input file is wrong (the CLI exits 2). */
export class UsageError extends ControllerError {
  override readonly code = 'USAGE';
}

/** A document failed the schemas where the command needs a valid one (the CLI exits 1). */
export class InvalidDocument extends ControllerError {
  override readonly code = 'DOCUMENT_INVALID';
}
