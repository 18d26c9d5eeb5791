/**
 * Documents as the daemon holds them: JSON text, parsed only where something
 * reads them as a whole. Most applies never do (the worker validates and
 * renders), and as objects a large document costs the daemon's heap several
 * times its bytes, and its garbage collector the copying of them.
 */
import type { Document } from '../../schemas/document';

/** The JSON text of a pushed document: a body's bytes decoded, an object (a stored record, a test's) serialized. */
export function documentText(input: unknown): string {
  return input instanceof Uint8Array ? Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8') : JSON.stringify(input);
}

/** A validated document as its text, parsed on first use and kept from then on. */
export type LazyDocument = () => Document;

export function lazyDocument(text: string): LazyDocument {
  let doc: Document | null = null;
  // the text goes once parsed: nginx's monitors read every applied document, whose text (1.1 MB for 100
  // listeners) was held beside its objects for as long as it was applied
  let source: string | null = text;
  return () => {
    if (!doc) {
      doc = JSON.parse(source!) as Document;
      source = null;
    }
    return doc;
  };
}

/** The validated document of an apply whose files nothing reads it with (PrepareOptions.documentFor): not kept. */
export const unreadDocument: LazyDocument = () => {
  throw new Error('the validated document was not kept: nothing reads it with the applied files');
};

/** The generation a pushed document (bytes or object) names, for the record of a refusal; null when it names none or is not JSON. */
export function generationOf(input: unknown): number | null {
  try {
    const g = ((input instanceof Uint8Array ? JSON.parse(documentText(input)) : input) as { generation?: unknown } | null)?.generation;
    return typeof g === 'number' ? g : null;
  } catch {
    return null;
  }
}
