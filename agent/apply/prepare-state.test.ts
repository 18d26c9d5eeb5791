/** What a call may use of the worker's memo (stateFor), and that an apply by parts answers what a whole one does. */
import { haproxyCapabilities } from '../../renderers/capabilities';
import { validateDocument } from '../../schemas/validate';
import { genLarge } from '../../test/lib/gen-large';
import { documentHash } from '../state/hash';
import { loadExample } from '../../test/lib/examples';
import { createInProcessPreparer, createPrepareState, documentTextOf, documentWanted, MEMO_MAX_BYTES, stateFor } from './prepare';

const bytes = (d: unknown) => new Uint8Array(Buffer.from(JSON.stringify(d)));

describe('stateFor', () => {
  it('gives the memo to a body as bytes within MEMO_MAX_BYTES', () => {
    const state = createPrepareState();
    expect(stateFor(bytes(genLarge(2, 1, 1)), {}, state)).toBe(state);
  });

  it('gives nothing to a dry run, and keeps the memo for the next apply', () => {
    const state = createPrepareState();
    const memo = state.memo;
    expect(stateFor(bytes(genLarge(2, 1, 1)), { dryRun: true }, state)).toEqual({});
    expect(state.memo).toBe(memo);
  });

  it('gives nothing to a larger body or a parsed object, and empties the memo', () => {
    const state = createPrepareState();
    state.memo!.listeners.set('x', {});
    state.hashMemo!.pools.set('y', 'z');
    expect(stateFor(new Uint8Array(MEMO_MAX_BYTES + 1), {}, state)).toEqual({});
    expect(state.memo!.listeners.size + state.hashMemo!.pools.size).toBe(0);
    state.memo!.listeners.set('x', {});
    expect(stateFor(genLarge(2, 1, 1), {}, state)).toEqual({});
    expect(state.memo!.listeners.size).toBe(0);
  });
});

describe('in-process preparer by parts', () => {
  it('answers a changing document as a whole validation and hash would', async () => {
    const prepare = createInProcessPreparer({ capabilities: haproxyCapabilities('2.6.12'), runDir: '/run/amphora-agent', fdLimit: 20000 });
    const d = genLarge(6, 2, 2) as any;
    for (let g = 1; g <= 3; g++) {
      d.generation = g;
      d.loadbalancer.listeners[g].timeout_client_data = 1000 + g;
      const r = await prepare(bytes(d));
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      expect(await r.hash).toBe(documentHash(d));
      const alone = validateDocument(structuredClone(d));
      expect(alone.ok && JSON.stringify(alone.doc)).toBe(await r.docText);
    }
  });
});

describe('documentTextOf', () => {
  it('writes a kept (frozen) listener once and reuses its text; a document not frozen is written whole', () => {
    const d = genLarge(3, 1, 1) as any;
    const memoState = createPrepareState();
    const first = validateDocument(structuredClone(d), memoState.memo);
    const again = validateDocument(structuredClone(d), memoState.memo);
    if (!first.ok || !again.ok) throw new Error('the document should validate');
    expect(documentTextOf({ doc: again.doc, out: null }, memoState)).toBe(JSON.stringify(again.doc));
    // a planted text shows that the kept one is used as it is
    memoState.texts!.set(again.doc.loadbalancer.listeners[0], '{"planted":1}');
    expect(JSON.parse(documentTextOf({ doc: again.doc, out: null }, memoState)).loadbalancer.listeners[0]).toEqual({ planted: 1 });
    const plain = validateDocument(structuredClone(d));
    if (!plain.ok) throw new Error('the document should validate');
    expect(documentTextOf({ doc: plain.doc, out: null }, memoState)).toBe(JSON.stringify(plain.doc));
    expect(documentTextOf({ doc: plain.doc, out: null })).toBe(JSON.stringify(plain.doc));
  });
});

describe('documentFor', () => {
  const ctx = { capabilities: haproxyCapabilities('2.6.12'), runDir: '/run/amphora-agent', fdLimit: 20000 };
  it('answers the validated document only when the files include one that reads it', async () => {
    const prepare = createInProcessPreparer(ctx);
    // http-basic renders no keepalived.conf; mixed-protocols does (its UDP listener is LVS's)
    const plain = await prepare(bytes(loadExample('http-basic')), { documentFor: ['keepalived.conf'] });
    const udp = await prepare(bytes(loadExample('mixed-protocols')), { documentFor: ['keepalived.conf'] });
    if (!plain.ok || !udp.ok) throw new Error('the examples should validate');
    expect(Object.keys((await plain.full)!.out!.files)).not.toContain('keepalived.conf');
    expect(await plain.docText).toBeNull();
    expect(Object.keys((await udp.full)!.out!.files)).toContain('keepalived.conf');
    expect(JSON.parse((await udp.docText)!).loadbalancer.listeners.map((l: { protocol: string }) => l.protocol)).toContain('UDP');
    // the hash and the files are answered whatever documentFor says
    expect(await plain.hash).toBe(documentHash(loadExample('http-basic')));
    // without documentFor, always
    const always = await prepare(bytes(loadExample('http-basic')));
    expect(always.ok && JSON.parse((await always.docText)!).generation).toBe(loadExample('http-basic').generation);
  });

  it('documentWanted: absent is always; otherwise one of the files, among rendered files', () => {
    const out = { files: { 'haproxy.cfg': '', 'keepalived.conf': '' }, main: 'haproxy.cfg', secrets: [], serves: { reported: [], engine: [], lvs: [], pools: [], otherBinds: [] } };
    expect(documentWanted({}, null)).toBe(true);
    expect(documentWanted({ documentFor: ['keepalived.conf'] }, out)).toBe(true);
    expect(documentWanted({ documentFor: ['other.conf'] }, out)).toBe(false);
    expect(documentWanted({ documentFor: [] }, out)).toBe(false);
    expect(documentWanted({ documentFor: ['keepalived.conf'] }, null)).toBe(false);
    // a name the files object only inherits is no file
    expect(documentWanted({ documentFor: ['toString'] }, out)).toBe(false);
  });
});
