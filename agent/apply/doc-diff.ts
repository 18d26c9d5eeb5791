/** Where two documents first differ: a pointer for the log when a change cannot be applied at run time. */

const IGNORED = new Set(['generation', 'members']);

/** The path (document keys) of the first difference between `a` and `b` outside `generation` and members, or null. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path || '(document)';
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if (IGNORED.has(k)) continue;
    const d = firstDifference(x[k], y[k], path ? `${path}.${k}` : k);
    if (d) return d;
  }
  return null;
}
