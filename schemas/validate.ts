/** The one entry point that turns untrusted input into a typed document or a full list of `{path, message}`. */
import { z } from 'zod';
import { checkCrossRules } from './cross-rules';
import { checkPemFields } from './pem-rules';
import { formatPath } from './raw';
import { Document, lenientSchemas, strictSchemas } from './document';
import { checkSizeLimits } from './limits';
import { SCHEMA_MAJOR, SCHEMA_MINOR, SUPPORTED_SCHEMA_VERSIONS } from './version';

export interface ValidationError {
  path: string;
  message: string;
}
export type ValidationResult = { ok: true; doc: Document } | { ok: false; errors: ValidationError[] };

/** Turns zod issues into `{path, message}` with the document's own keys; unions report their closest branch. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): ValidationError[] {
  const out: ValidationError[] = [];
  for (const i of issues) {
    const path = [...prefix, ...i.path];
    if (i.code === 'invalid_union' && i.errors.length) {
      // the branch with the fewest issues is the one the user most likely meant
      const best = [...i.errors].sort((a, b) => a.length - b.length)[0];
      out.push(...formatZodIssues(best, path));
    } else if (i.code === 'unrecognized_keys') {
      const what = path[path.length - 1] === 'insert_headers' ? 'is not a header this agent can insert' : `is not a known field of schema_version ${SCHEMA_MAJOR}.${SCHEMA_MINOR}`;
      for (const k of i.keys) out.push({ path: formatPath([...path, k]), message: what });
    } else if (i.code === 'invalid_key') {
      out.push({ path: formatPath(path), message: `is not an accepted key (${i.issues.map((x) => x.message).join('; ')})` });
    } else {
      out.push({ path: formatPath(path), message: messageOf(i) });
    }
  }
  return out;
}

function messageOf(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_type' && /received undefined$/.test(i.message)) return 'is required';
  if (i.code === 'invalid_type') return `must be of type ${i.expected}`;
  if (i.code === 'invalid_value' && i.values.length) return `must be one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (i.code === 'too_small' || i.code === 'too_big') {
    const bound = i.code === 'too_small' ? `at least ${String(i.minimum)}` : `at most ${String(i.maximum)}`;
    if (i.origin === 'array') return `must have ${bound} item(s)`;
    if (i.origin === 'string') return `must be ${bound} characters long`;
    return `must be ${bound}`;
  }
  return i.message.replace(/^Invalid input: /, '');
}

/** Checks `schema_version` alone: null when this agent can read the document, else the error. */
export function checkSchemaVersion(input: unknown): ValidationError | null {
  const v = (input as { schema_version?: unknown } | null)?.schema_version;
  if (typeof v !== 'string' || !/^\d+\.\d+$/.test(v)) {
    return { path: 'schema_version', message: `must be a version "MAJOR.MINOR"; supported: ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}` };
  }
  if (Number(v.split('.')[0]) !== SCHEMA_MAJOR) {
    return { path: 'schema_version', message: `major version ${v.split('.')[0]} is not supported; supported: ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}` };
  }
  return null;
}

/** Validates a whole document: every field rule and every cross-object rule, all problems at once. */
export function validateDocument(input: unknown): ValidationResult {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '(document)', message: 'must be a JSON object' }] };
  }
  const versionError = checkSchemaVersion(input);
  if (versionError) return { ok: false, errors: [versionError] };
  // over a size limit: refused before the schema walks every member
  const tooLarge = checkSizeLimits(input);
  if (tooLarge.length) return { ok: false, errors: tooLarge };
  const minor = Number((input as { schema_version: string }).schema_version.split('.')[1]);
  const schemas = minor > SCHEMA_MINOR ? lenientSchemas() : strictSchemas;
  const parsed = schemas.document.safeParse(input);
  // one message per path: the first field rule that failed there, else the first other rule;
  // the other passes read the raw input, so one call reports every problem
  const errors: ValidationError[] = [];
  const faulted = new Set<string>();
  const add = (path: string, message: string) => {
    if (faulted.has(path)) return;
    faulted.add(path);
    errors.push({ path, message });
  };
  if (!parsed.success) for (const e of formatZodIssues(parsed.error.issues)) add(e.path, e.message);
  for (const c of [...checkCrossRules(input), ...checkPemFields(input)]) add(formatPath(c.path), c.message);
  if (errors.length || !parsed.success) return { ok: false, errors };
  return { ok: true, doc: parsed.data };
}
