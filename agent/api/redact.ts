/** Secrets never leave the VM through the API: keys and passphrases are replaced. */

export const REDACTED = '<redacted>';
const SECRET_KEYS = new Set(['private_key', 'passphrase']);
const PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;

/** A deep copy of a document with every `private_key` and `passphrase` value redacted. */
export function redactDocument<T>(v: T): T {
  if (Array.isArray(v)) return v.map(redactDocument) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.has(k) && x !== null && x !== undefined ? REDACTED : redactDocument(x);
    }
    return out as T;
  }
  return v;
}

/** Rendered files with secret files replaced and any private-key block cut out of the others. */
export function redactFiles(files: Record<string, string>, secrets: readonly string[]): Record<string, string> {
  const secret = new Set(secrets);
  const out: Record<string, string> = {};
  for (const [p, content] of Object.entries(files)) {
    out[p] = secret.has(p) ? REDACTED : content.replace(PRIVATE_KEY_BLOCK, REDACTED);
  }
  return out;
}
