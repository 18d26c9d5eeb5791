/**
 * Config directories on disk: every candidate is written whole into a fresh
 * directory under `configs/`; `current` is a symlink switched by renaming a
 * temp symlink over it, so the engine only ever sees a complete set.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RenderedFiles, RenderOutput } from '../../renderers/types';
import { fsyncDir, writeFileSynced } from '../durable-fs';
import { ensureSpace, writing } from '../state/space';
import { filesBytes } from './budget';

export interface ConfigLayout {
  /** `${stateDir}/configs`: candidate and applied directories */
  configsDir: string;
  /** `${stateDir}/failed`: candidates the engine refused, kept for debugging */
  failedDir: string;
  /** `${stateDir}/current`: the stable path the engine is started with */
  currentLink: string;
}

/** In a candidate's name given before its document is read (the worker writes it), stands for the document's generation. */
export const GENERATION_SLOT = '{generation}';

/** A candidate written to disk: what its check needs of it. */
export interface StagedFiles {
  dir: string;
  /** the engine's main file */
  main: string;
  /** the relative paths written */
  names: string[];
  bytes: number;
}

/**
 * Writes a candidate (not synced) after checking there is room for it; no
 * room is StorageFull (507), and nothing of it is left behind on failure.
 */
export function stageFiles(stateDir: string, name: string, out: RenderedFiles): StagedFiles {
  const layout = configLayout(stateDir);
  const bytes = filesBytes(out.files);
  try {
    ensureSpace(stateDir, bytes, 'the candidate configuration');
    const dir = writing(stateDir, 'the candidate configuration', () => writeCandidate(layout, name, out, false));
    return { dir, main: out.main, names: Object.keys(out.files), bytes };
  } catch (e) {
    fs.rmSync(path.join(layout.configsDir, name), { recursive: true, force: true });
    throw e;
  }
}

/** The layout under a state directory. */
export function configLayout(stateDir: string): ConfigLayout {
  return { configsDir: path.join(stateDir, 'configs'), failedDir: path.join(stateDir, 'failed'), currentLink: path.join(stateDir, 'current') };
}

/**
 * Writes the rendered files into `configs/<name>` (secrets 0600) and returns
 * the dir; with `sync`, fsyncs them and their directories first (a dry run
 * that is removed after its check needs no durability; an apply may sync
 * later, with syncCandidate, while the engine checks the files).
 */
export function writeCandidate(layout: ConfigLayout, name: string, out: Pick<RenderOutput, 'files' | 'secrets' | 'main'>, sync = true): string {
  const dir = path.join(layout.configsDir, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secrets = new Set(out.secrets);
  const dirs = new Set<string>([dir]);
  for (const [rel, content] of Object.entries(out.files)) {
    const file = path.resolve(dir, rel);
    // renderers are trusted, but a path must never escape its directory
    if (!file.startsWith(dir + path.sep)) throw new Error(`rendered path ${rel} leaves the config directory`);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    dirs.add(path.dirname(file));
    if (sync) writeFileSynced(file, content, secrets.has(rel) ? 0o600 : 0o644);
    else fs.writeFileSync(file, content, { mode: secrets.has(rel) ? 0o600 : 0o644 });
  }
  if (sync) {
    for (const d of dirs) fsyncDir(d);
    fsyncDir(layout.configsDir);
  }
  return dir;
}

/** Makes a candidate written without `sync` durable: every file and directory under it, and its entry in `configs/` (off the event loop). */
export async function syncCandidate(layout: ConfigLayout, dir: string): Promise<void> {
  const sync = async (p: string) => {
    const h = await fs.promises.open(p, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  };
  const walk = async (d: string): Promise<void> => {
    const entries = await fs.promises.readdir(d, { withFileTypes: true });
    await Promise.all(entries.map((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : sync(path.join(d, e.name)))));
    await sync(d);
  };
  await walk(dir);
  await sync(layout.configsDir);
}

/** Name of the directory `current` points at, or null. */
export function currentTarget(layout: ConfigLayout): string | null {
  try {
    return path.basename(fs.readlinkSync(layout.currentLink));
  } catch {
    return null;
  }
}

/** Points `current` at `configs/<name>` atomically (rename of a temp symlink) and makes it durable. */
export function switchCurrent(layout: ConfigLayout, name: string): void {
  const tmp = `${layout.currentLink}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(path.join(path.basename(layout.configsDir), name), tmp);
  fs.renameSync(tmp, layout.currentLink);
  fsyncDir(path.dirname(layout.currentLink));
}

/** Removes `current` (DELETE). */
export function removeCurrent(layout: ConfigLayout): void {
  fs.rmSync(layout.currentLink, { force: true });
  fsyncDir(path.dirname(layout.currentLink));
}

/** Moves a refused candidate to `failed/`, keeping the newest `keep` of them. */
export function keepFailed(layout: ConfigLayout, dir: string, keep = 3): string {
  fs.mkdirSync(layout.failedDir, { recursive: true, mode: 0o700 });
  const dest = path.join(layout.failedDir, path.basename(dir));
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(dir, dest);
  const old = fs.readdirSync(layout.failedDir).map((n) => ({ n, t: fs.statSync(path.join(layout.failedDir, n)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { n } of old.slice(keep)) fs.rmSync(path.join(layout.failedDir, n), { recursive: true, force: true });
  return dest;
}

/** Removes config directories other than those named in `keep` (or spared by `spare`). */
export function pruneConfigs(layout: ConfigLayout, keep: string[], spare: (name: string) => boolean = () => false): void {
  let names: string[];
  try {
    names = fs.readdirSync(layout.configsDir);
  } catch {
    return;
  }
  for (const n of names) if (!keep.includes(n) && !spare(n)) fs.rmSync(path.join(layout.configsDir, n), { recursive: true, force: true });
}

/** Reads back the listed files of a directory (relative paths); throws when one cannot be read. */
export function readFiles(dir: string, rels: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of rels) out[rel] = fs.readFileSync(path.join(dir, rel), 'utf8');
  return out;
}

/** Reads back the files of a config dir (only those listed), or null if any is missing. */
export function readConfigFiles(layout: ConfigLayout, name: string, rels: string[]): Record<string, string> | null {
  try {
    return readFiles(path.join(layout.configsDir, name), rels);
  } catch {
    return null;
  }
}
