import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { documentHash } from './hash';
import { createStateStore, type AppliedState } from './store';
import { documentText, generationOf, lazyDocument } from './document-text';

const plan = { reported: [], engine: [], lvs: [], pools: [], otherBinds: [] };

/** A state whose document is `text` as a controller sent it (spacing and key order its own). */
function state(generation: number, text: string): AppliedState {
  return {
    format: 1, generation, hash: documentHash(JSON.parse(text)), documentText: text, files: { 'haproxy.cfg': `# g${generation}\n` }, main: 'haproxy.cfg',
    secrets: [], serves: plan, skeletonHash: 'skeleton', filesHash: 'files', configDir: `g${generation}`, appliedAt: '2026-11-29T00:00:00.000Z',
  };
}

describe('the state store', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the document as the text it came as, and reads it back as that object with its hash checked', () => {
    const text = '{\n  "generation": 2,\n  "z": "last", "a": [1, {"b": "}\\"#;"}],\n  "u": "\\u00e9\\n"\n}\n';
    const store = createStateStore(dir);
    store.save(state(2, text));
    const raw = fs.readFileSync(path.join(dir, 'state.json'), 'utf8');
    expect(raw).toContain(`"document":${text}}`);
    // the serve plan and skeleton hash are left to the render
    expect(raw).not.toContain('skeleton');
    const { state: loaded, problems } = store.load();
    expect(problems).toEqual([]);
    expect(loaded).toMatchObject({ generation: 2, configDir: 'g2', document: JSON.parse(text) });
    expect(loaded && 'documentText' in loaded).toBe(false);
  });

  it('keeps the previous record, and falls back to it when the current one is torn or its document does not match its hash', () => {
    const store = createStateStore(dir);
    store.save(state(1, '{"generation":1}'));
    store.save(state(2, '{"generation":2}'));
    const cur = path.join(dir, 'state.json');
    fs.writeFileSync(cur, fs.readFileSync(cur, 'utf8').replace('"generation":2}', '"generation":3}'));
    const r = store.load();
    expect(r.state?.generation).toBe(1);
    expect(r.problems).toEqual([expect.stringContaining('the document does not match its hash')]);
  });

  it('a staged record changes nothing until committed, and a discarded one leaves nothing', () => {
    const store = createStateStore(dir);
    store.save(state(1, '{"generation":1}'));
    const staged = store.stage(state(2, '{"generation":2}'));
    expect(store.load().state?.generation).toBe(1);
    staged.discard();
    expect(fs.readdirSync(dir).sort()).toEqual(['state.json']);
    store.stage(state(3, '{"generation":3}')).commit();
    expect(store.load().state?.generation).toBe(3);
  });
});

describe('documents as text', () => {
  it('decodes a body as sent and serializes an object', () => {
    const body = Buffer.from('{ "generation": 4 }');
    expect(documentText(body)).toBe('{ "generation": 4 }');
    expect(documentText(body.subarray(2, 14))).toBe('"generation"');
    expect(documentText({ generation: 4 })).toBe('{"generation":4}');
  });

  it('parses a validated document once, on first use', () => {
    const parse = jest.spyOn(JSON, 'parse');
    const doc = lazyDocument('{"generation":5}');
    expect(parse).not.toHaveBeenCalled();
    expect(doc().generation).toBe(5);
    expect(doc()).toBe(doc());
    expect(parse).toHaveBeenCalledTimes(1);
    parse.mockRestore();
  });

  it('finds the generation of a refused document, if it names one', () => {
    expect(generationOf(Buffer.from('{"generation": 9, "loadbalancer": 1}'))).toBe(9);
    expect(generationOf({ generation: 8 })).toBe(8);
    expect(generationOf(Buffer.from('{"generation": 9,'))).toBeNull();
    expect(generationOf(Buffer.from('{"generation": "9"}'))).toBeNull();
    expect(generationOf(null)).toBeNull();
  });
});
