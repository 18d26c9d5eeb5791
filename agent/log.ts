/**
 * Structured logs: one JSON object per line on stdout with `time`, `level`,
 * `msg` and the caller's fields; `debug` lines only when the config asks.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  debug: boolean;
  write?: (line: string) => void;
  now?: () => Date;
}

/** Errors do not serialize to JSON by themselves; keep their message, code and cause chain. */
function plain(v: unknown, depth = 0): unknown {
  if (v instanceof Error) {
    const out: Record<string, unknown> = { name: v.name, message: v.message };
    const code = (v as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (v.cause !== undefined && depth < 3) out.cause = plain(v.cause, depth + 1);
    return out;
  }
  return v;
}

/** Creates the JSON-lines logger. */
export function createLogger(opts: LoggerOptions, base: Record<string, unknown> = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line));
  const now = opts.now ?? (() => new Date());
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (level === 'debug' && !opts.debug) return;
    const rec: Record<string, unknown> = { time: now().toISOString(), level, msg, ...base };
    for (const [k, v] of Object.entries(fields ?? {})) rec[k] = plain(v);
    write(JSON.stringify(rec) + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...base, ...fields }),
  };
}

/** A logger that drops everything (tests). */
export function nullLogger(): Logger {
  return createLogger({ debug: false, write: () => undefined });
}

/** A condition that holds for a while (a heartbeat trimmed, listeners missing): logged when it starts, when it changes, and when it ends. */
export interface Condition {
  /** `active` with a `detail` that tells one occurrence from another (a changed detail is logged again). */
  update(active: boolean, detail?: string, fields?: Record<string, unknown>): void;
}

/** A condition logged at `level` when it starts or changes, and at info when it ends. */
export function condition(log: Logger, level: 'warn' | 'error' | 'info', started: string, ended: string): Condition {
  let current: string | null = null;
  return {
    update(active, detail = '', fields) {
      if (active && current !== detail) log[level](started, fields);
      else if (!active && current !== null) log.info(ended, fields);
      current = active ? detail : null;
    },
  };
}
