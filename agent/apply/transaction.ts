/**
 * The apply transaction of one PUT: validate, check the generation, render,
 * stage a candidate, let the engine check it, swap `current`, reload, verify,
 * and only then commit the state (staged before the swap: commit.ts). A
 * failed reload, verification or commit puts the last good set back
 * (rollback.ts, reconcile.ts: 503, 504, 507). One apply at a time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Document } from '../../schemas/document';
import type { RenderContext, RenderedFiles, RenderOutput, ServePlan } from '../../renderers/types';
// types only: the daemon must not load zod and the templates (the worker does)
import type { Prepared, PreparedFull, PrepareOptions, Preparer } from './prepare';
import { AgentError, ApplyFailed, DocumentInvalid, EngineFailed, EngineRefused, EngineTimeout, RenderFailed } from '../errors';
import { bytesBudgetMs, DEFAULT_ENGINE_TIMEOUT_SEC, stepBudgetMs } from './budget';
import type { Engine, EngineStatus, ReloadPrep } from '../engines/types';
import type { Logger } from '../log';
import { checkGeneration } from '../state/generation';
import { writing } from '../state/space';
import type { AppliedState, StagedState, StateStore } from '../state/store';
import { documentText, generationOf, lazyDocument, unreadDocument, type LazyDocument } from '../state/document-text';
import { Mutex } from './mutex';
import { diagnoseBind } from './diagnose';
import { commitStaged, stageState } from './commit';
import { loadedConfig, markLoaded, reconcile, servesNow, settle, settled, type ReconcileDeps, type ServedState } from './reconcile';
import { rollBack, type RollbackDeps } from './rollback';
import type { Sidecar } from './sidecar';
import { configLayout, currentTarget, GENERATION_SLOT, keepFailed, pruneConfigs, removeCurrent, stageFiles, switchCurrent, syncCandidate, type ConfigLayout, type StagedFiles } from './staging';
import { firstDifference } from './doc-diff';
import type { Applier, ApplyCounters, ApplyResult, LastApply, Refusal } from './types';
import { waitServing } from './verify';

const VALIDATE_PREFIX = 'validate-';

export interface ApplyHooks {
  /** before the engine reloads (systemd RELOADING=1) */
  reloading?(what: string): void;
  /** awaited just before a reload of a running engine: the heartbeat takes its counters, which the reload resets */
  beforeReload?(): Promise<void>;
  /** after an apply finished, whatever the outcome (systemd READY=1) */
  settled?(what: string): void;
  /**
   * Called as an apply passes each step (`checked`, `switched`, `runtime-applied`,
   * `served`, `committed`): fault-injection tests stop the agent there.
   */
  step?(name: ApplyStep): void;
}

export type ApplyStep = 'checked' | 'switched' | 'runtime-applied' | 'served' | 'committed';

export type { Applier, ApplyResult, ApplyCounters, Refusal } from './types';

export interface ApplierDeps {
  stateDir: string;
  engine: Engine;
  /** validates and renders (in a worker process in the daemon) */
  prepare: Preparer;
  store: StateStore;
  log: Logger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  hooks?: ApplyHooks;
  verifyTimeoutMs?: number;
  /** base time budget of an engine step, scaled with the rendered files (agent/apply/budget.ts; default 30 s) */
  engineTimeoutMs?: number;
  /** how long to wait for a reload in progress to end before a rollback (default: twice the step budget) */
  settleTimeoutMs?: number;
  /** names the cause of a failed reload (default: probe binds of the new listener addresses) */
  diagnose?: (next: ServePlan, previous: ServePlan | null) => Promise<string | null>;
  /** processes served beside the engine (keepalived): checked, served, rolled back and stopped with it */
  sidecars?: Sidecar[];
  /** the render context of now, when it changes while the agent runs (nginx: members held DOWN); absent: the preparer's own */
  context?: () => RenderContext;
  /**
   * Nothing but the sidecars reads the applied document (no `appliedDoc` reader: haproxy, without nginx's
   * monitors): the worker then answers it only with the files a sidecar reads it with (`Sidecar.documentWith`).
   */
  documentBySidecars?: boolean;
}

/** Documents up to this size (both texts together) get where they first differ in the reason of a reload. */
export const WHERE_MAX_CHARS = 512 * 1024;

/** Creates the applier over an engine, a renderer and a state store. */
export function createApplier(d: ApplierDeps): Applier {
  const now = d.now ?? (() => new Date());
  const sleep = d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const layout: ConfigLayout = configLayout(d.stateDir);
  const mutex = new Mutex();
  const counters: ApplyCounters = { reloads: 0, reloadFailures: 0, runtimeApplies: 0, refused: 0 };
  let lastApply: LastApply | null = null;
  let applied: { state: AppliedState; doc: LazyDocument } | null = null;
  let refused: Refusal | null = null;
  let restoreErr: string | null = null;
  let seq = 0;
  const sidecars = d.sidecars ?? [];
  // the files with which the validated document is read; undefined: always (something reads it through appliedDoc)
  const documentFor = d.documentBySidecars && sidecars.every((s) => s.documentWith) ? sidecars.map((s) => s.documentWith!) : undefined;

  /** Validates and renders in the worker; with `stageTo` the worker writes the files (a dry run: `dryRun` too). */
  const parse = async (input: unknown, o: Omit<PrepareOptions, 'context' | 'documentFor'> = {}): Promise<Extract<Prepared, { ok: true }>> => {
    const r = await d.prepare(input, { ...o, context: d.context?.(), documentFor });
    if (!r.ok) throw new DocumentInvalid(r.errors);
    return r;
  };
  /** The generation rule; the hash (which the worker answers last) is awaited only when it decides: the applied generation again. */
  const generationCheck = async (generation: number, hash: Promise<string>): Promise<'apply' | 'unchanged'> =>
    applied?.state.generation === generation ? checkGeneration(applied.state, generation, await hash) : checkGeneration(applied?.state ?? null, generation, '');
  const renderFailed = (p: Extract<Prepared, { ok: true }>) => new RenderFailed(`the document cannot be rendered: ${p.renderError}`);
  /** The rendered files (which follow the head) and their hash (the worker's), or RenderFailed. */
  const rendered = async (p: Extract<Prepared, { ok: true }>): Promise<{ out: RenderOutput; fh: string }> => {
    const full: PreparedFull | null = await p.full;
    if (!full) throw new Error('a dry run has no rendered files to apply');
    if (!full.out || !p.filesHash) throw renderFailed(p);
    return { out: full.out, fh: p.filesHash };
  };
  /** The validated document, which the worker sends last: parsed from its text only where it is read (none: nothing reads it, `documentFor`). */
  const documentOf = async (p: Extract<Prepared, { ok: true }>): Promise<LazyDocument> => {
    const text = await p.docText;
    return text === null ? unreadDocument : lazyDocument(text);
  };
  const candidateName = (generation: number | string) => `g${generation}-${now().getTime()}-${++seq}`;

  /**
   * Stages and checks a candidate with the engine and every sidecar; a refused
   * one is kept under failed/ (422). `beside` runs while the engine checks
   * (staging the state record); its failure fails the step.
   */
  const stageChecked = (name: string, out: RenderedFiles, amphora: Document['amphora'], durable = true, beside?: () => Promise<void>): Promise<string> =>
    checkStaged(stageFiles(d.stateDir, name, out), amphora, durable, beside);

  /** Checks a candidate already written (stageChecked, or the worker for a dry run). */
  const checkStaged = async (staged: StagedFiles, amphora: Document['amphora'], durable = true, beside?: () => Promise<void>): Promise<string> => {
    const { dir } = staged;
    let refused: { who: string; output: string } | null = null;
    try {
      // the files become durable while the engine reads them: both are needed before `current` may point there
      const synced = durable ? syncCandidate(layout, dir).catch((e) => writing(d.stateDir, 'the candidate configuration', () => { throw e; })) : undefined;
      // the sidecars check the same files at the same time (keepalived --config-test beside haproxy -c);
      // everything settles before anything is decided: nothing may still write or read the candidate once it is moved
      const timeoutMs = bytesBudgetMs(staged.bytes, d.engineTimeoutMs ?? DEFAULT_ENGINE_TIMEOUT_SEC * 1000);
      const sideChecks = Promise.allSettled(sidecars.map((s) => s.check(dir, staged.names, amphora)));
      const [check, sync, side] = await Promise.allSettled([d.engine.check(dir, staged.main, { timeoutMs }), synced, beside?.()]);
      const sideResults = await sideChecks;
      for (const r of [check, sync, side]) if (r.status === 'rejected') throw r.reason;
      // what is answered is what a check in turn would have found first: the engine's refusal, then each sidecar's
      if (check.status === 'fulfilled' && !check.value.ok) refused = { who: d.engine.name, output: check.value.output };
      for (const [i, r] of sideResults.entries()) {
        if (refused) break;
        if (r.status === 'rejected') throw r.reason;
        if (!r.value.ok) refused = { who: sidecars[i].name, output: r.value.output };
      }
    } catch (e) {
      keepFailed(layout, dir);
      throw e;
    }
    if (refused) {
      const kept = keepFailed(layout, dir);
      throw new EngineRefused(`${refused.who} refused the rendered configuration`, refused.output, kept);
    }
    return dir;
  };

  const budget = (files: Record<string, string>) => stepBudgetMs(files, d.engineTimeoutMs ?? DEFAULT_ENGINE_TIMEOUT_SEC * 1000);
  // settling only waits for a reload already under way; the alternative is a restart, so it gets twice the step's budget
  const settleMs = (files: Record<string, string>) => d.settleTimeoutMs ?? 2 * budget(files);
  const verify = (plan: ServePlan, ms?: number) => waitServing(d.engine, plan, { timeoutMs: d.verifyTimeoutMs ?? ms ?? 10000, now: () => now().getTime(), sleep });

  /**
   * Makes the engine serve `current` (reload if running, else start), verifies it, then serves the sidecars.
   * `seen`: a look at the engine taken under the apply lock (nothing but a crash changes it meanwhile; a dead
   * engine fails the reload, which rolls back); without one, or when it is not a settled running engine, it asks.
   */
  const serve = async (name: string, doc: LazyDocument, out: RenderOutput, prep?: Promise<ReloadPrep>, seen?: EngineStatus | null): Promise<void> => {
    const timeoutMs = budget(out.files);
    let st = seen?.running && settled(seen) ? seen : await d.engine.status().catch(() => null);
    // never reload over a reload in progress (one an earlier failed apply left behind)
    if (!st || !settled(st)) {
      await settle(d.engine, settleMs(out.files), () => now().getTime(), sleep);
      st = await d.engine.status();
    }
    markLoaded(layout, null);
    if (st.running) {
      // the counters are taken while the reload prepares, and before haproxy is told to reload
      const ready = d.hooks?.beforeReload?.().catch((e) => d.log.warn('a pre-reload hook failed', { error: e }));
      await d.engine.reload(out.serves, { timeoutMs, prep, status: st, ready });
    } else await d.engine.start(layout.currentLink, out.main, { timeoutMs });
    await verify(out.serves, timeoutMs);
    markLoaded(layout, name);
    for (const s of sidecars) await s.serve(layout.currentLink, out, doc);
  };
  const reconcileDeps: ReconcileDeps = {
    engine: d.engine, layout, log: d.log, now: () => now().getTime(), sleep, verify,
    beforeReload: async () => d.hooks?.beforeReload?.(),
  };
  const servedState = (s: AppliedState): ServedState => ({ configDir: s.configDir, main: s.main, serves: s.serves, timeoutMs: budget(s.files) });
  const rollbackDeps: RollbackDeps = { reconcile: reconcileDeps, sidecars, log: d.log, servedState, settleMs };

  /** Starts the applied state when the engine is not running (died); false when nothing was applied or it runs. */
  const restartLocked = async (): Promise<boolean> => {
    if (!applied || (await d.engine.status().catch(() => null))?.running !== false) return false;
    const how = await reconcile(reconcileDeps, servedState(applied.state), { settleMs: settleMs(applied.state.files), force: false });
    d.log.warn('the engine serves the applied generation again', { generation: applied.state.generation, how });
    return true;
  };

  /** Swaps `current` to `name` and serves it; on failure restores the previous set (503, 504). */
  const activate = async (name: string, generation: number, doc: LazyDocument, out: RenderOutput, prep?: Promise<ReloadPrep>, seen?: EngineStatus | null): Promise<void> => {
    const prev = applied;
    writing(d.stateDir, 'the current link', () => switchCurrent(layout, name));
    d.hooks?.step?.('switched');
    d.hooks?.reloading?.(`applying generation ${generation}`);
    try {
      await serve(name, doc, out, prep, seen);
      d.hooks?.step?.('served');
      counters.reloads++;
    } catch (e) {
      counters.reloadFailures++;
      const why = await (d.diagnose ?? diagnoseBind)(out.serves, prev?.state.serves ?? null).catch(() => null);
      d.log.error('reload failed; restoring the previous configuration', { generation, error: e, diagnosis: why });
      const { rolledBack, tail } = await rollBack(rollbackDeps, prev, out);
      keepFailed(layout, path.join(layout.configsDir, name));
      if (e instanceof EngineTimeout) throw new EngineTimeout(e.step, e.timeoutMs, `applying generation ${generation} failed: ${e.message}; ${tail}`, rolledBack, { cause: e });
      throw new ApplyFailed(`applying generation ${generation} failed: ${(e as Error).message}${why ? ` (${why})` : ''}; ${tail}`, rolledBack, { cause: e });
    }
  };

  /** A state record and its staged file, not yet committed. */
  type Staging = { state: AppliedState; staged: StagedState };

  /** `text`: the document as pushed (state/document-text.ts). */
  const stateOf = (generation: number, text: string, hash: string, out: RenderOutput, configDir: string, fh: string): AppliedState => ({
    format: 1, generation, hash, documentText: text, files: out.files, main: out.main,
    secrets: out.secrets, serves: out.serves, skeletonHash: out.skeletonHash, filesHash: fh, configDir, appliedAt: now().toISOString(),
  });

  const adopt = (state: AppliedState, doc: LazyDocument): void => {
    applied = { state, doc };
    // dry-run candidates of concurrent validations are theirs to remove
    pruneConfigs(layout, [state.configDir], (n) => n.startsWith(VALIDATE_PREFIX));
  };

  /**
   * Stages `state` (unless `o.staged` is it, written already), activates (with what `o.prep` made ready for
   * the reload during the check), commits; tells the hooks once the outcome is known.
   */
  const activateAndCommit = async (name: string, doc: LazyDocument, out: RenderOutput, state: AppliedState, o: { staged?: StagedState; prep?: Promise<ReloadPrep>; seen?: EngineStatus | null } = {}): Promise<void> => {
    try {
      const staged = o.staged ?? stageState(d.store, d.stateDir, layout.configsDir, state);
      const prev = applied;
      try {
        await activate(name, state.generation, doc, out, o.prep, o.seen);
      } catch (e) {
        staged.discard();
        throw e;
      }
      await commitStaged({ store: d.store, stateDir: d.stateDir, log: d.log }, staged, state, async () => {
        counters.reloadFailures++;
        return rollBack(rollbackDeps, prev, out);
      });
      adopt(state, doc);
    } finally {
      d.hooks?.settled?.(applied ? `serving generation ${applied.state.generation}` : 'no document applied');
    }
  };

  /** Commits a state whose files the engine already serves (no reload). */
  const commit = (doc: LazyDocument, state: AppliedState): void => {
    writing(d.stateDir, 'the new state record', () => d.store.save(state));
    d.hooks?.step?.('committed');
    adopt(state, doc);
  };

  const applyLocked = async (raw: unknown): Promise<ApplyResult> => {
    const t0 = performance.now();
    const ms: Record<string, number> = {};
    const lap = (step: string) => (ms[step] = Math.round(performance.now() - t0));
    // the worker writes the candidate and answers that first: the engine checks it while the rest crosses
    const preparing = parse(raw, { stageTo: { stateDir: d.stateDir, name: candidateName(GENERATION_SLOT) } });
    // the engine is asked how it runs meanwhile (nothing reloads it outside the apply lock)
    const status = d.engine.status().catch(() => null);
    // the daemon's own copy of what was pushed (the state record) is its text: the worker parses and validates it
    const text = documentText(raw);
    const prepared = await preparing;
    lap('validated');
    const { staged, generation } = prepared;
    // the candidate is removed unless it reaches the engine's check (which keeps a refused one under failed/)
    let checking = false;
    try {
      if ((await generationCheck(generation, prepared.hash)) === 'unchanged') {
        const hash = await prepared.hash;
        // "unchanged" only while it serves: a controller re-sending the applied generation brings a dead engine back
        if (!applied || (await servesNow(d.engine, applied.state.serves))) return { result: 'unchanged', generation, hash, reloaded: false };
        const how = await reconcile(reconcileDeps, servedState(applied.state), { settleMs: settleMs(applied.state.files), force: true }).catch((e) => {
          throw new EngineFailed(`generation ${generation} is applied but not serving, and serving it again failed: ${(e as Error).message}`, { cause: e });
        });
        d.log.warn('the applied generation was not serving; it serves again', { generation, how });
        return { result: 'applied', generation, hash, reloaded: true };
      }
      if (!staged || !prepared.filesHash) throw renderFailed(prepared);
      let hash = '';
      const st = await status;
      lap('status');
      const target = currentTarget(layout);
      const live = applied && st?.running && target === applied.state.configDir ? applied : null;
      /** `where`: finds where the documents differ, once the answer is out (it parses both). */
      const done = (path: LastApply['path'], reason: string, where?: () => string): ApplyResult => {
        lap('committed');
        const record: LastApply = { generation, path, reason, at: now().toISOString(), ms: Math.round(performance.now() - t0) };
        lastApply = record;
        const log = () => d.log.info('applied', { generation, hash, path, reason: record.reason, ms });
        if (!where) log();
        else setImmediate(() => {
          try {
            record.reason = `${reason} (first at ${where()})`;
          } catch {
            // only a pointer for the reader: without it the reason stands as it is
          }
          log();
        });
        return { result: 'applied', generation, hash, reloaded: path === 'reload' };
      };
      if (live && prepared.filesHash === live.state.filesHash) {
        // the engine already runs exactly these files: a new generation needs no reload
        const { out, fh } = await rendered(prepared);
        hash = await prepared.hash;
        commit(await documentOf(prepared), stateOf(generation, text, hash, out, target!, fh));
        return done('none', 'the rendered files are unchanged');
      }
      const name = path.basename(staged.dir);
      // while the engine checks the files, the validated document and the files arrive, the worker hashes the
      // document, and the state record is staged: written before anything changes, so no room is a 507 with nothing touched
      let pre: (Staging & { out: RenderOutput }) | null = null;
      // a reload follows unless the change may be members only: what it carries over is made ready beside the check
      const membersOnly = !!live && prepared.skeletonHash !== null && prepared.skeletonHash === live.state.skeletonHash;
      let prep: Promise<ReloadPrep> | undefined;
      let doc!: LazyDocument;
      checking = true;
      try {
        await checkStaged(staged, prepared.amphora, true, async () => {
          const { out, fh } = await rendered(prepared);
          if (live && !membersOnly) prep = d.engine.prepareReload?.(out.serves);
          hash = await prepared.hash;
          const state = stateOf(generation, text, hash, out, name, fh);
          pre = { out, state, staged: writing(d.stateDir, 'the new state record', () => d.store.stage(state)) };
        });
        // the document crossed while the engine checked; nothing has changed yet if it did not
        doc = await documentOf(prepared);
      } catch (e) {
        (pre as Staging | null)?.staged.discard();
        throw e;
      }
      const { out, state, staged: stagedState } = pre!;
      lap('checked');
      d.hooks?.step?.('checked');
      let why = !applied ? 'the first document' : !st?.running ? 'the engine was not running' : !live ? 'the configuration in use is not the applied one' : '';
      const runtime = live && d.engine.planMembers && d.engine.applyMembers ? d.engine.planMembers(live.state, out) : null;
      if (runtime && !runtime.ok) why = runtime.reason;
      if (!runtime && live) why = `${d.engine.name} applies every change by reloading`;
      // where the document changes beyond members (a runtime plan implies a live state): for the log and details,
      // not worth parsing both before the answer; nor at all for large documents, whose two parses (several MiB
      // of objects for the daemon to collect) would slow the next apply more than the pointer is worth
      const where = runtime && !runtime.ok && runtime.reason.includes('beyond members') && text.length + live!.state.documentText.length <= WHERE_MAX_CHARS
        ? () => firstDifference(JSON.parse(live!.state.documentText), JSON.parse(text)) ?? 'the rendering'
        : undefined;
      if (live && runtime?.ok) {
        writing(d.stateDir, 'the current link', () => switchCurrent(layout, name));
        d.hooks?.step?.('switched');
        // what the engine runs is neither set until verified: a restart in between reloads the committed one
        markLoaded(layout, null);
        let failed: unknown = null;
        await d.engine.applyMembers!(runtime.ops, out.serves).catch((e: unknown) => (failed = e ?? new Error('unknown')));
        if (!failed) {
          markLoaded(layout, name);
          lap('runtime-applied');
          d.hooks?.step?.('runtime-applied');
          await commitStaged({ store: d.store, stateDir: d.stateDir, log: d.log }, stagedState, state, async () => {
            counters.reloadFailures++;
            return rollBack(rollbackDeps, live, out);
          });
          d.hooks?.step?.('committed');
          adopt(state, doc);
          counters.runtimeApplies++;
          return done('runtime', `${runtime.ops.length} member change(s) through the runtime API`);
        }
        // the reload below makes the engine serve the new files whatever the runtime holds (the staged record stays: the same files)
        switchCurrent(layout, live.state.configDir);
        why = `the runtime changes failed (${(failed as Error).message})`;
        d.log.warn('member changes at run time failed; reloading instead', { generation, error: failed });
      }
      // the look at the engine taken while the worker validated serves the reload too
      await activateAndCommit(name, doc, out, state, { staged: stagedState, prep, seen: st });
      return done('reload', why, where);
    } finally {
      if (!checking && staged) fs.rmSync(staged.dir, { recursive: true, force: true });
    }
  };

  const remember = (raw: unknown, e: unknown): void => {
    if (!(e instanceof AgentError)) return;
    counters.refused++;
    refused = {
      generation: generationOf(raw), code: e.toBody().code, status: e.status,
      errors: e instanceof DocumentInvalid ? e.errors : [], message: e.message, at: now().toISOString(),
    };
    d.log.warn('refused a document', { generation: refused.generation, code: e.code, reason: e.message });
  };

  return {
    apply: (raw) =>
      mutex.run(async () => {
        try {
          return await applyLocked(raw);
        } catch (e) {
          remember(raw, e);
          throw e;
        }
      }),

    async validate(raw) {
      const t0 = performance.now();
      // the validated document stays in the worker, which writes the candidate itself: a large one never crosses back
      const name = `${VALIDATE_PREFIX}${now().getTime()}-${++seq}`;
      const prepared = await parse(raw, { stageTo: { stateDir: d.stateDir, name }, dryRun: true });
      try {
        const { generation } = prepared;
        const validatedMs = Math.round(performance.now() - t0);
        const unchanged = (await generationCheck(generation, prepared.hash)) === 'unchanged';
        const staged = prepared.staged;
        if (!staged) throw renderFailed(prepared);
        // the worker hashes the document while the engine checks the files
        const [, hash] = await Promise.all([checkStaged(staged, prepared.amphora, false), prepared.hash]);
        d.log.info('validated (dry run)', { generation, hash, unchanged, ms: { validated: validatedMs, checked: Math.round(performance.now() - t0) } });
        return { valid: true, generation, hash, unchanged };
      } finally {
        // a refused candidate was moved to failed/ already
        fs.rmSync(path.join(layout.configsDir, name), { recursive: true, force: true });
      }
    },

    remove: () =>
      mutex.run(async () => {
        const had = applied !== null;
        // keepalived first: a MASTER hands its VIPs to the peer while its engine still serves
        for (const s of sidecars) await s.stop();
        await d.engine.stop();
        removeCurrent(layout);
        markLoaded(layout, null);
        d.store.clear();
        pruneConfigs(layout, []);
        applied = null;
        d.log.info('document deleted; the engine is stopped', { had });
        d.hooks?.settled?.('no document applied');
        return { deleted: had };
      }),

    restore: () => mutex.run(async () => {
      const { state, problems } = d.store.load();
      for (const p of problems) d.log.error('an applied-state file is unreadable; using the previous one', { problem: p });
      if (!state) {
        const st = await d.engine.status().catch(() => null);
        // no record of what it serves: leave it alone until a controller pushes a document
        if (st?.running) d.log.warn('a haproxy runs but no applied document is stored; leaving it as it is', { masterPid: st.masterPid });
        return;
      }
      try {
        const prepared = await parse(state.document);
        const { out, fh } = await rendered(prepared);
        const doc = await documentOf(prepared);
        const { document, ...stored } = state;
        const text = documentText(document);
        // an agent killed mid-apply may have left a reload under way
        await settle(d.engine, settleMs(out.files), () => now().getTime(), sleep);
        const st = await d.engine.status();
        const target = currentTarget(layout);
        // adopt only an engine verified to serve the committed files: one killed between a reload and its commit or rollback is reloaded
        if (st.running && target === state.configDir && loadedConfig(layout) === state.configDir && fh === state.filesHash) {
          await verify(out.serves);
          // a sidecar that died while the agent was down starts again; one that runs these files is left alone.
          // The engine serves the document either way: a sidecar that fails here is left to its supervisor
          for (const s of sidecars) await s.serve(layout.currentLink, out, doc).catch((e) => d.log.error(`${s.name} could not be served at start`, { error: e }));
          // a state written before serve plans existed (or by another agent version) gets what this agent renders
          applied = { state: { ...stored, documentText: text, serves: out.serves, skeletonHash: out.skeletonHash }, doc };
          d.log.info('adopted the running engine', { generation: state.generation, masterPid: st.masterPid });
          return;
        }
        const name = candidateName(state.generation);
        await stageChecked(name, out, prepared.amphora);
        await activateAndCommit(name, doc, out, stateOf(state.generation, text, state.hash, out, name, fh));
        d.log.info('restored the applied document', { generation: state.generation });
      } catch (e) {
        restoreErr = (e as Error).message;
        d.log.error('restoring the applied document failed', { generation: state.generation, error: e });
      }
    }),

    refresh: () =>
      mutex.run(async () => {
        if (!applied) return null;
        const { state } = applied;
        const prepared = await parse(Buffer.from(state.documentText));
        const { out, fh } = await rendered(prepared);
        const st = await d.engine.status();
        if (st.running && currentTarget(layout) === state.configDir && fh === state.filesHash) return { reloaded: false };
        const name = candidateName(state.generation);
        await stageChecked(name, out, prepared.amphora);
        await activateAndCommit(name, applied.doc, out, stateOf(state.generation, state.documentText, state.hash, out, name, fh));
        d.log.info('re-rendered the applied document', { generation: state.generation });
        return { reloaded: true };
      }),

    drain: () => mutex.run(async () => undefined),
    engineHealth: () => mutex.run(async () => {
      if (!applied) return 'idle';
      const st = await d.engine.status().catch(() => null);
      // no answer from a live master: mid-reload or busy, not dead
      return st && !st.running ? 'dead' : 'running';
    }),
    restartEngine: () => mutex.run(restartLocked),
    applied: () => applied?.state ?? null,
    appliedDoc: () => applied?.doc() ?? null,
    lastRefused: () => refused,
    restoreError: () => restoreErr,
    counters: () => ({ ...counters }),
    lastApply: () => lastApply,
  };
}
