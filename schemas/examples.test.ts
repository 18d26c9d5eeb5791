import { exampleNames, loadExample } from '../test/lib/examples';
import { validateDocument } from './validate';

const examples = exampleNames();

describe('contract examples', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });
  it.each(examples)('%s validates', (f) => {
    const r = validateDocument(loadExample(f));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });
});
