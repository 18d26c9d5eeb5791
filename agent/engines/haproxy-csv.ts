/**
 * Parsers for the haproxy stats socket's `show stat` (CSV, header line starting
 * with "# ") and `show info` ("Key: value" lines). Pure text in, plain objects out.
 */

export type StatRow = Record<string, string>;

/** Splits one CSV line; haproxy quotes a field only when it holds a comma or a quote, doubling inner quotes. */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      i++; // the comma after the closing quote
    } else {
      const next = line.indexOf(',', i);
      const end = next < 0 ? line.length : next;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

/** What to keep of `show stat`: some columns only, rows of some proxies only (the heartbeat reads ~10 of ~100 columns). */
export interface StatFilter {
  columns?: readonly string[];
  /** keeps a row by its first two cells (proxy, server) before the rest is split */
  keep?: (pxname: string, svname: string) => boolean;
}

/**
 * The picked cells of one unquoted line (ids and statuses never hold commas
 * or quotes), sliced straight out of the text: nothing past the last picked
 * column is touched, and `keep` sees the first two cells before the rest.
 * Null when `keep` refuses the row.
 */
function pickCells(text: string, start: number, end: number, isPicked: boolean[], last: number, keep?: StatFilter['keep']): (string | undefined)[] | null {
  const cells: (string | undefined)[] = new Array(last + 1);
  let from = start;
  for (let c = 0; c <= last && from <= end; c++) {
    let to = text.indexOf(',', from);
    if (to < 0 || to > end) to = end;
    if (isPicked[c] || (keep && c < 2)) cells[c] = text.slice(from, to);
    if (keep && c === 1 && !keep(cells[0] ?? '', cells[1] ?? '')) return null;
    from = to + 1;
  }
  if (keep && last < 1 && !keep(cells[0] ?? '', '')) return null;
  return cells;
}

/** Rows of `show stat` keyed by the header's column names (all of them, or those `f` asks for). */
export function parseShowStat(text: string, f: StatFilter = {}): StatRow[] {
  return [...statRows(text, f)];
}

/** The rows one at a time, so a caller can let other work run between them (tens of thousands of members). */
export function* statRows(text: string, f: StatFilter = {}): Generator<StatRow> {
  let names: string[] | null = null;
  let picked: number[] = [];
  let isPicked: boolean[] = [];
  let last = -1;
  let nextQuote = text.indexOf('"');
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const lineStart = start;
    start = end + 1;
    while (end > lineStart && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 32)) end--;
    if (end === lineStart) continue;
    if (!names) {
      const line = text.slice(lineStart, end);
      if (!line.startsWith('# ')) continue;
      names = splitCsvLine(line.slice(2));
      const want = f.columns ? new Set(f.columns) : null;
      picked = names.map((n, i) => (n && (!want || want.has(n)) ? i : -1)).filter((i) => i >= 0);
      isPicked = names.map((_n, i) => picked.includes(i));
      last = Math.max(picked.length ? picked[picked.length - 1] : -1, f.keep ? 1 : -1);
      continue;
    }
    let cells: (string | undefined)[] | null;
    // the next quote anywhere ahead, found once per quote rather than once per line
    if (nextQuote >= 0 && nextQuote < lineStart) nextQuote = text.indexOf('"', lineStart);
    if (nextQuote < 0 || nextQuote >= end) cells = pickCells(text, lineStart, end, isPicked, last, f.keep);
    else {
      cells = splitCsvLine(text.slice(lineStart, end));
      if (f.keep && !f.keep(cells[0] ?? '', cells[1] ?? '')) cells = null;
    }
    if (!cells) continue;
    const row: StatRow = {};
    for (const c of picked) row[names[c]] = cells[c] ?? '';
    yield row;
  }
}

/** `show info` as a map of key to value. */
export function parseShowInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** A non-negative integer cell; empty or garbled cells count as 0 (haproxy leaves unused columns empty). */
export function counter(row: StatRow, name: string): number {
  const v = Number(row[name]);
  return Number.isSafeInteger(v) && v >= 0 ? v : 0;
}
