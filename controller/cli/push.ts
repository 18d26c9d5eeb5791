/** `amphora-ctl push DOC --agent URL... | --agents FILE`: validate locally, then send to every agent. */
import type { Command } from 'commander';
import { pushDocument } from '../push';
import { agentUrls, clients, collect, EXIT, positiveInt, printJson, readDocument, withIdentity, type CliIo, type IdentityOptions } from './common';
import { formatErrors, formatOutcome, formatPushSummary } from './format';
import { progressBar } from './progress';

interface PushOpts extends IdentityOptions {
  agent?: string[];
  agents?: string;
  concurrency: number;
  json?: boolean;
  progress: boolean;
}

/** Registers `push` on the program; `done` receives the exit code. */
export function registerPush(program: Command, io: CliIo, done: (code: number) => void): void {
  const cmd = program
    .command('push')
    .summary('validate a document, then apply it on agents')
    .description(
      'Validates DOC with the contract\'s schemas (nothing is sent if it is invalid), then PUTs it to every agent ' +
        'over mutual TLS, at most --concurrency at a time, and reports per agent: applied, unchanged, invalid (with ' +
        'paths), stale or conflict (generation), engine_refused (with the engine\'s words), apply_failed (rolled back), ' +
        'unreachable.\n\nExit: 0 every agent serves DOC; 1 the document is invalid or an agent refused it; ' +
        '3 no agent refused it but some could not be reached; 2 bad arguments.',
    )
    .argument('<doc>', 'the document (JSON file)')
    .option('--agent <url>', 'an agent, https://HOST[:PORT] (repeatable)', collect)
    .option('--agents <file>', 'a file with one agent URL a line (# comments)')
    .option('--concurrency <n>', 'pushes in flight at once', positiveInt, 8)
    .option('--json', 'print one JSON object with every outcome')
    .option('--no-progress', 'no progress bar (it is drawn only on a terminal anyway)');
  withIdentity(cmd).action(async (file: string, o: PushOpts) => done(await runPush(file, o, io)));
}

async function runPush(file: string, o: PushOpts, io: CliIo): Promise<number> {
  const urls = agentUrls(o);
  const { raw, result } = readDocument(file);
  if (!result.ok) {
    if (o.json) printJson(io, { document: file, valid: false, errors: result.errors, outcomes: [] });
    else io.stdout.write([`${file}: invalid, nothing sent (${result.errors.length} error(s))`, ...formatErrors(result.errors, '  ')].join('\n') + '\n');
    return EXIT.FAILED;
  }
  const targets = clients(urls, o);
  const gen = result.doc.generation;
  if (!o.json) io.stderr.write(`pushing generation ${gen} to ${targets.length} agent(s), ${Math.min(o.concurrency, targets.length)} at a time\n`);
  const bar = progressBar(io.stderr, targets.length, 'push', o.progress && !o.json);
  const t0 = Date.now();
  const outcomes = await pushDocument(raw, targets, { limit: o.concurrency, onOutcome: (x) => bar.tick(x.status) });
  bar.stop();
  const wallMs = Date.now() - t0;
  const notServing = outcomes.filter((x) => !x.serving);
  const code = notServing.length === 0 ? EXIT.OK : notServing.every((x) => x.status === 'unreachable') ? EXIT.UNREACHABLE : EXIT.FAILED;
  if (o.json) {
    printJson(io, { document: file, valid: true, generation: gen, concurrency: o.concurrency, wall_ms: wallMs, all_serving: code === EXIT.OK, outcomes });
  } else {
    const width = Math.max(...outcomes.map((x) => x.agent.length));
    io.stdout.write([...outcomes.flatMap((x) => formatOutcome(x, width)), formatPushSummary(outcomes, gen) + ` in ${wallMs} ms`].join('\n') + '\n');
  }
  return code;
}
