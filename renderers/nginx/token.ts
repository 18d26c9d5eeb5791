/**
 * The token of a rendered set: a hash of its view model and of every other
 * file, printed into the status server and written as TOKEN_FILE. Once the
 * status server answers it, the workers that took the connection run exactly
 * these files; the agent's adapter reads the expected value from TOKEN_FILE.
 */
import { createHash } from 'node:crypto';

/** sha256 (hex, first 32 characters) of the view model's JSON and the files, in path order. */
export function configToken(viewJson: string, files: Readonly<Record<string, string>>): string {
  const h = createHash('sha256');
  h.update(viewJson);
  for (const p of Object.keys(files).sort()) h.update(`\0${p}\0${files[p]}`);
  return h.digest('hex').slice(0, 32);
}
