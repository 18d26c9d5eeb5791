/**
 * nginx's own reading of a configuration (ngx_conf_read_token in
 * src/core/ngx_conf_file.c), for tests: words split at whitespace, `;` ends a
 * directive, `{`/`}` open and close a block, `#` at a word's start comments
 * to the line's end; "..." and '...' quote, and inside them `\"`, `\'`, `\\`,
 * `\t`, `\r`, `\n` are escapes while any other backslash stays. Returns the
 * directives as nginx sees them, so a test can check that a value reads back
 * byte for byte and adds no directive or block.
 */

export interface Directive {
  name: string;
  args: string[];
  /** the block's directives, or null for a simple directive */
  block: Directive[] | null;
}

const ESC: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', t: '\t', r: '\r', n: '\n' };

/** Splits a whole configuration into nginx's directives; throws where nginx would report a syntax error. */
export function parseNginx(text: string): Directive[] {
  let i = 0;
  const word = (): string | null => {
    // skip blanks and comments
    for (;;) {
      while (i < text.length && /\s/.test(text[i])) i++;
      if (text[i] === '#') {
        while (i < text.length && text[i] !== '\n') i++;
        continue;
      }
      break;
    }
    if (i >= text.length) return null;
    const c = text[i];
    if (c === ';' || c === '{' || c === '}') {
      i++;
      return `\u0000${c}`;
    }
    let out = '';
    if (c === '"' || c === "'") {
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) {
          const e = ESC[text[i + 1]];
          out += e ?? `\\${text[i + 1]}`;
          i += 2;
        } else out += text[i++];
      }
      if (i >= text.length) throw new Error('unterminated quoted string');
      i++;
      if (i < text.length && !/[\s;{}]/.test(text[i])) throw new Error(`unexpected "${text[i]}" after a quoted string`);
      return out;
    }
    while (i < text.length && !/[\s;{}]/.test(text[i])) {
      // `${name}` inside an unquoted word is a variable, not a block
      if (text[i] === '$' && text[i + 1] === '{') {
        const end = text.indexOf('}', i);
        out += text.slice(i, end + 1);
        i = end + 1;
        continue;
      }
      if (text[i] === '\\' && i + 1 < text.length) {
        out += text[i + 1];
        i += 2;
        continue;
      }
      out += text[i++];
    }
    return out;
  };

  const block = (nested: boolean): Directive[] => {
    const out: Directive[] = [];
    let args: string[] = [];
    for (;;) {
      const w = word();
      if (w === null) {
        if (nested || args.length) throw new Error('unexpected end of file');
        return out;
      }
      if (w === '\u0000;') {
        if (!args.length) throw new Error('unexpected ";"');
        out.push({ name: args[0], args: args.slice(1), block: null });
        args = [];
      } else if (w === '\u0000{') {
        if (!args.length) throw new Error('unexpected "{"');
        out.push({ name: args[0], args: args.slice(1), block: block(true) });
        args = [];
      } else if (w === '\u0000}') {
        if (!nested || args.length) throw new Error('unexpected "}"');
        return out;
      } else args.push(w);
    }
  };
  return block(false);
}

/** The shape of a configuration: directive names, argument counts and nesting, without the values (a map's keys are values). */
export function nginxShape(ds: Directive[], inTable = false): unknown[] {
  return ds.map((d) => {
    const name = inTable ? '(key)' : d.name;
    return d.block ? [name, d.args.length, nginxShape(d.block, d.name === 'map' || d.name === 'geo')] : [name, d.args.length];
  });
}

/** Every directive, depth first, with its enclosing block heads. */
export function* walkNginx(ds: Directive[], parents: Directive[] = []): Generator<{ d: Directive; parents: Directive[] }> {
  for (const d of ds) {
    yield { d, parents };
    if (d.block) yield* walkNginx(d.block, [...parents, d]);
  }
}
