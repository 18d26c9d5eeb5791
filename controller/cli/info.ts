/**
 * `amphora-ctl info --agent URL` (one agent at length) and `status --agent
 * URL...` (one line per agent): versions, engine, capabilities, what is
 * applied, the last refusal, heartbeat targets; with --doc, whether each
 * agent can serve that document and why not.
 */
import type { Command } from 'commander';
import type { Document } from '../../schemas/document';
import type { ValidationError } from '../../schemas/validate';
import type { AgentDetails } from '../agent-answers';
import { expectOk } from '../agent-client';
import { mapLimit } from '../pool';
import { serveBlockers } from '../serve-check';
import { agentUrls, clients, collect, EXIT, positiveInt, printJson, readDocument, withIdentity, type CliIo, type IdentityOptions } from './common';
import { formatDetails, formatErrors, formatStatusTable } from './format';
import { progressBar } from './progress';

interface InfoOpts extends IdentityOptions {
  agent?: string[];
  agents?: string;
  doc?: string;
  json?: boolean;
  concurrency: number;
}

interface Row {
  url: string;
  details?: AgentDetails;
  error?: string;
  /** with --doc: what stops this agent from serving it (empty: it can) */
  blockers?: ValidationError[];
}

/** Registers `info` and `status`. */
export function registerInfo(program: Command, io: CliIo, done: (code: number) => void): void {
  const common = (cmd: Command) =>
    withIdentity(
      cmd
        .option('--doc <file>', 'also say whether the agent can serve this document (API and schema versions, capabilities)')
        .option('--json', 'print the agents\' /v1/details records (and can_serve with --doc)'),
    );
  const exits = '\n\nExit: 0 answered (and, with --doc, can serve it); 1 cannot serve the document, or an agent answered an error; 3 unreachable; 2 bad arguments.';
  common(
    program
      .command('info')
      .summary('one agent at length')
      .description('Reads GET /v1/details of one agent: versions, engine, capabilities, applied generation and config hash, last refused generation, heartbeat targets.' + exits)
      .requiredOption('--agent <url>', 'the agent, https://HOST[:PORT]'),
  ).action(async (o: Omit<InfoOpts, 'agent'> & { agent: string }) => done(await runInfo({ ...o, agent: [o.agent], concurrency: 1 }, io, 'info')));
  common(
    program
      .command('status')
      .summary('many agents, one line each')
      .description('Reads GET /v1/details of every agent, at most --concurrency at a time, and prints a line per agent.' + exits)
      .option('--agent <url>', 'an agent, https://HOST[:PORT] (repeatable)', collect)
      .option('--agents <file>', 'a file with one agent URL a line')
      .option('--concurrency <n>', 'requests in flight at once', positiveInt, 16),
  ).action(async (o: InfoOpts) => done(await runInfo(o, io, 'status')));
}

async function runInfo(o: InfoOpts, io: CliIo, mode: 'info' | 'status'): Promise<number> {
  const urls = agentUrls(o);
  let doc: Document | undefined;
  if (o.doc) {
    const { result } = readDocument(o.doc);
    if (!result.ok) {
      io.stdout.write([`${o.doc}: invalid, no agent can serve it (${result.errors.length} error(s))`, ...formatErrors(result.errors, '  ')].join('\n') + '\n');
      return EXIT.FAILED;
    }
    doc = result.doc;
  }
  const cs = clients(urls, o);
  const bar = progressBar(io.stderr, cs.length, mode, !o.json);
  const rows: Row[] = await mapLimit(cs, o.concurrency, async (c) => {
    let row: Row;
    try {
      const d = expectOk(await c.details(), `GET /v1/details of ${c.url}`) as AgentDetails;
      row = { url: c.url, details: d, blockers: doc ? serveBlockers(d, doc) : undefined };
    } catch (e) {
      if (mode === 'info') throw e;
      row = { url: c.url, error: (e as Error).message };
    }
    bar.tick(row.details ? 'ok' : 'unreachable');
    return row;
  });
  bar.stop();
  const cannot = rows.some((r) => r.blockers?.length);
  const code = cannot ? EXIT.FAILED : rows.some((r) => r.error) ? EXIT.UNREACHABLE : EXIT.OK;
  if (o.json) {
    const rec = (r: Row) => ({ agent: r.url, ...(r.error ? { error: r.error } : { details: r.details }), ...(r.blockers ? { can_serve: r.blockers.length === 0, blockers: r.blockers } : {}) });
    printJson(io, mode === 'info' ? rec(rows[0]) : rows.map(rec));
    return code;
  }
  const lines = mode === 'info' ? formatDetails(rows[0].url, rows[0].details!) : formatStatusTable(rows.map((r) => ({ url: r.url, d: r.details, error: r.error, canServe: r.blockers ? r.blockers.length === 0 : null })));
  // status lists only the agents that cannot serve the document (its CAN_SERVE column says the rest)
  for (const r of rows.filter((x) => x.blockers && (mode === 'info' || x.blockers.length))) {
    lines.push(r.blockers!.length ? `${r.url} cannot serve ${o.doc}:` : `${r.url} can serve ${o.doc}`, ...formatErrors(r.blockers!));
  }
  io.stdout.write(lines.join('\n') + '\n');
  return code;
}
