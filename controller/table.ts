/** The receiver's state as a plain-text table (the CLI's live view). Pure. */
import type { DropReason } from '../schemas/heartbeat';
import type { AmphoraView } from './receiver';

/** Rows of cells as lines of padded columns (the last column unpadded). */
export function pad(cells: string[][]): string[] {
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  return cells.map((r) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]))).join('  ').trimEnd());
}

/** Amphorae, then their listeners, pools and members, then the drop counters. */
export function renderTable(amphorae: AmphoraView[], accepted: number, drops: Record<DropReason, number>): string {
  const out: string[] = [];
  if (amphorae.length === 0) out.push('no heartbeat heard yet');
  else {
    out.push(
      ...pad([
        ['AMPHORA', 'STATE', 'SEQ', 'AGE', 'FROM', 'GENERATION', 'CONFIG_HASH'],
        ...amphorae.map((a) => [a.id, a.stale ? 'STALE' : 'alive', String(a.seq), `${a.ageSec.toFixed(1)}s`, a.from, String(a.message.generation ?? '-'), a.message.config_hash ?? '-']),
      ]),
    );
    for (const a of amphorae) {
      const rows: string[][] = [['  LISTENER', 'STATUS', 'CONNS', 'TOTCONNS', 'RX', 'TX', 'EREQ', '(totals since receiver start)']];
      for (const [id, l] of Object.entries(a.message.listeners)) {
        const t = a.totals[id];
        rows.push([`  ${id}`, l.status, String(l.stats.conns), String(t.totconns), String(t.rx), String(t.tx), String(t.ereq), '']);
      }
      out.push('', `${a.id}:`, ...pad(rows));
      const prow: string[][] = [['  POOL:LISTENER / MEMBER', 'STATUS']];
      for (const [key, p] of Object.entries(a.message.pools)) {
        prow.push([`  ${key}`, p.status + (a.message.members_omitted?.includes(key) ? ' (members omitted by the agent)' : '')]);
        for (const [m, s] of Object.entries(p.members)) prow.push([`    ${m}`, s]);
      }
      out.push(...pad(prow));
    }
  }
  const dropped = Object.entries(drops).filter(([, n]) => n > 0).map(([r, n]) => `${r}=${n}`);
  out.push('', `accepted=${accepted}  dropped: ${dropped.length ? dropped.join(' ') : 'none'}`);
  return out.join('\n') + '\n';
}
