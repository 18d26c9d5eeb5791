import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateDocument } from './validate';

const dir = path.resolve(__dirname, '../../shared/contract/examples');
const examples = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('contract examples', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });
  it.each(examples)('%s validates', (f) => {
    const r = validateDocument(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });
});
