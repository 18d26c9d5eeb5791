/**
 * The applied state on disk: `state.json` and the one before it,
 * `state.prev.json`. Written as temp file + fsync + rename + fsync of the
 * directory, so a crash leaves either the old or the new file whole; a torn
 * or unreadable file is reported and the previous good one is used. An apply
 * writes the temp file before it touches the engine (`stage`), so a full
 * disk is found while nothing has changed, and the commit after the reload
 * is only renames.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsyncDir, writeFileSynced } from '../durable-fs';
import type { ServePlan } from '../../renderers/types';
import { documentHash } from './hash';

export interface AppliedState {
  format: 1;
  generation: number;
  /** hash of the document as the controller sent it (canonical JSON) */
  hash: string;
  /** the document as the controller sent it, as JSON text (state/document-text.ts); state.json holds it as the object it is */
  documentText: string;
  /** rendered files, relative path -> content (secrets included; the file is 0600) */
  files: Record<string, string>;
  main: string;
  secrets: string[];
  /** what the engine serves with these files (renderers/types.ts) */
  serves: ServePlan;
  /** the render's hash of everything but members (renderers/types.ts), when the engine has one */
  skeletonHash?: string;
  filesHash: string;
  /** name of the config directory under `configs/` that holds these files */
  configDir: string;
  appliedAt: string;
}

/** What state.json holds: the applied state less what a render gives back (the serve plan, the skeleton hash), the document as an object. */
export type StoredState = Omit<AppliedState, 'serves' | 'skeletonHash' | 'documentText'> & { document: Record<string, unknown> };

export interface LoadResult {
  state: StoredState | null;
  /** what was wrong with the files that could not be used, for the log */
  problems: string[];
}

const CURRENT = 'state.json';
const PREVIOUS = 'state.prev.json';

function parseState(text: string): StoredState {
  const s = JSON.parse(text) as StoredState;
  if (s?.format !== 1 || !Number.isInteger(s.generation) || typeof s.hash !== 'string' || !s.document || typeof s.files !== 'object') {
    throw new Error('not an applied-state record');
  }
  if (documentHash(s.document) !== s.hash) throw new Error('the document does not match its hash');
  return s;
}

function readable(f: string): boolean {
  try {
    parseState(fs.readFileSync(f, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/** A state written to its temp file, not yet the applied one. */
export interface StagedState {
  /** bytes written */
  readonly bytes: number;
  /** Makes it `state.json` (the old one becomes `state.prev.json`): renames and an fsync, no new data. */
  commit(): void;
  /** Removes the temp file (the apply failed). */
  discard(): void;
}

export interface StateStore {
  load(): LoadResult;
  save(state: AppliedState): void;
  /** Writes `state` to a temp file beside `state.json`, fsync'd; throws (ENOSPC…) with nothing else changed. */
  stage(state: AppliedState): StagedState;
  /** After a commit whose engine was rolled back: `state.prev.json` becomes `state.json` again. */
  revert(): void;
  /** Forgets the applied document (DELETE). */
  clear(): void;
}

/** The store in `stateDir`. */
export function createStateStore(stateDir: string): StateStore {
  const cur = path.join(stateDir, CURRENT);
  const prev = path.join(stateDir, PREVIOUS);
  // whether state.json is known whole (this process wrote or read it): reading it back before each save costs a parse and a hash
  let curWhole: boolean | null = null;
  const stage = (state: AppliedState): StagedState => {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(stateDir, `.${CURRENT}.staged-${process.pid}`);
    // the serve plan and skeleton hash are the render's: a restore renders again. The document goes in as the
    // text it came as (one JSON object: the worker parsed it), not parsed and serialized again
    const { serves: _serves, skeletonHash: _skeleton, documentText, ...rest } = state;
    const head = JSON.stringify(rest);
    const text = `${head.slice(0, -1)},"document":${documentText}}`;
    try {
      writeFileSynced(tmp, text, 0o600);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    return {
      bytes: Buffer.byteLength(text),
      commit() {
        // keep the last good record: a crash between the renames leaves state.prev.json whole
        if (curWhole === null ? readable(cur) : curWhole && fs.existsSync(cur)) fs.renameSync(cur, prev);
        fs.renameSync(tmp, cur);
        fsyncDir(stateDir);
        curWhole = true;
      },
      discard: () => fs.rmSync(tmp, { force: true }),
    };
  };
  return {
    stage,
    revert() {
      if (!fs.existsSync(prev)) return;
      curWhole = null;
      fs.renameSync(prev, cur);
      fsyncDir(stateDir);
    },
    load() {
      const problems: string[] = [];
      for (const f of [cur, prev]) {
        let text: string;
        try {
          text = fs.readFileSync(f, 'utf8');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${f}: ${(e as Error).message}`);
          continue;
        }
        try {
          const state = parseState(text);
          curWhole = f === cur;
          return { state, problems };
        } catch (e) {
          problems.push(`${f}: ${(e as Error).message}`);
        }
      }
      curWhole = false;
      return { state: null, problems };
    },
    save: (state) => stage(state).commit(),
    clear() {
      curWhole = false;
      fs.rmSync(cur, { force: true });
      fs.rmSync(prev, { force: true });
      fsyncDir(stateDir);
    },
  };
}
