/** `amphora-ctl validate DOC [--agent URL...]`: the schemas offline, or the agents' own dry run. */
import type { Command } from 'commander';
import { mapLimit } from '../pool';
import { dryRun } from '../upgrade';
import type { DryRun } from '../upgrade-plan';
import { collect, clients, EXIT, printJson, readDocument, withIdentity, type CliIo, type IdentityOptions } from './common';
import { formatEngineOutput, formatErrors } from './format';

interface ValidateOpts extends IdentityOptions {
  agent?: string[];
  json?: boolean;
}

/** Registers `validate`. */
export function registerValidate(program: Command, io: CliIo, done: (code: number) => void): void {
  const cmd = program
    .command('validate')
    .summary('check a document offline, or with an agent\'s dry run')
    .description(
      'Without --agent: validates DOC with the contract\'s schemas on this machine (every error with its path).\n' +
        'With --agent: also asks each agent to do everything a push does short of touching its engine ' +
        '(POST /v1/loadbalancer/validate: schema, capabilities, generation, the engine\'s own check).\n\n' +
        'Exit: 0 valid everywhere; 1 invalid or refused somewhere; 3 an agent could not be reached; 2 bad arguments.',
    )
    .argument('<doc>', 'the document (JSON file)')
    .option('--agent <url>', 'an agent to dry-run on, https://HOST[:PORT] (repeatable)', collect)
    .option('--json', 'print one JSON object');
  withIdentity(cmd).action(async (file: string, o: ValidateOpts) => done(await runValidate(file, o, io)));
}

async function runValidate(file: string, o: ValidateOpts, io: CliIo): Promise<number> {
  const { raw, result } = readDocument(file);
  const lines: string[] = [];
  if (result.ok) {
    const lb = result.doc.loadbalancer;
    lines.push(`${file}: valid (generation ${result.doc.generation}, ${lb.listeners.length} listener(s), ${lb.pools.length} pool(s))`);
  } else lines.push(`${file}: invalid (${result.errors.length} error(s))`, ...formatErrors(result.errors, '  '));
  const agents: { agent: string; dry_run?: DryRun; unreachable?: string }[] = [];
  if (o.agent?.length) {
    const cs = clients(o.agent, o);
    agents.push(...(await mapLimit(cs, 8, async (c) => {
      try {
        return { agent: c.url, dry_run: await dryRun(c, raw) };
      } catch (e) {
        return { agent: c.url, unreachable: (e as Error).message };
      }
    })));
    for (const a of agents) {
      const d = a.dry_run;
      if (!d) lines.push(`${a.agent}: UNREACHABLE ${a.unreachable}`);
      else if (d.ok) lines.push(`${a.agent}: valid${d.unchanged ? ' (exactly the applied document)' : ''}, config_hash ${d.hash}`);
      else lines.push(`${a.agent}: ${d.status} ${d.code}: ${d.message}`, ...formatErrors(d.errors ?? []), ...formatEngineOutput(d.engine_output ?? ''));
    }
  }
  const refused = !result.ok || agents.some((a) => a.dry_run && !a.dry_run.ok);
  const code = refused ? EXIT.FAILED : agents.some((a) => a.unreachable) ? EXIT.UNREACHABLE : EXIT.OK;
  if (o.json) printJson(io, { document: file, valid: result.ok, errors: result.ok ? [] : result.errors, agents });
  else io.stdout.write(lines.join('\n') + '\n');
  return code;
}
