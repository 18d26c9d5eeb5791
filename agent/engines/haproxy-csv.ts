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

/** Rows of `show stat` keyed by the header's column names. */
export function parseShowStat(text: string): StatRow[] {
  const lines = text.split('\n');
  const headerAt = lines.findIndex((l) => l.startsWith('# '));
  if (headerAt < 0) return [];
  const names = splitCsvLine(lines[headerAt].slice(2).trimEnd());
  const rows: StatRow[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    if (!line.trim()) continue;
    const cells = splitCsvLine(line.trimEnd());
    const row: StatRow = {};
    for (let c = 0; c < names.length; c++) if (names[c]) row[names[c]] = cells[c] ?? '';
    rows.push(row);
  }
  return rows;
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
