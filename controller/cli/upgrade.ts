/**
 * `amphora-ctl plan-upgrade DOC --from URL --to URL` and `migrate`: the
 * replace-VM upgrade (README "Upgrading by replacing the VM").
 */
import type { Command } from 'commander';
import { AgentClient } from '../agent-client';
import { InvalidDocument, UsageError } from '../errors';
import { receiverSource, watchStateSource, type HeartbeatSource } from '../heartbeat-source';
import { bindReceiver, HeartbeatReceiver } from '../receiver';
import { migrate, planFor, type MigrateReport } from '../upgrade';
import type { UpgradePlan } from '../upgrade-plan';
import { EXIT, loadIdentity, printJson, readDocument, seconds, withIdentity, type CliIo, type IdentityOptions } from './common';
import { formatErrors } from './format';
import { heartbeatKey, parseBind } from './watch';

interface PlanOpts extends IdentityOptions {
  from: string;
  to: string;
  json?: boolean;
}

interface MigrateOpts extends PlanOpts {
  bind?: { host: string; port: number };
  heartbeatKey?: string;
  heartbeatKeyFile?: string;
  watchState?: string;
  wait: number;
}

/** The plan as lines for an operator. */
export function formatPlan(p: UpgradePlan, from: string, to: string): string[] {
  const out = [`moving generation ${p.generation} from ${p.old.amphora_id ?? '?'} (${from}) to ${p.new.amphora_id ?? '?'} (${to})`];
  out.push(p.differences.length ? 'the VMs differ in:' : 'the VMs run the same engine, versions and capabilities');
  for (const d of p.differences) out.push(d.what.startsWith('capabilities.') ? `  ${d.what}: only old: ${d.old}; only new: ${d.new}` : `  ${d.what}: ${d.old} -> ${d.new}`);
  out.push(p.old.serves_document ? `the old VM serves this document (config_hash ${p.old.config_hash})` : `the old VM does NOT serve this document (it has generation ${p.old.applied_generation ?? '(none)'})`);
  const dr = p.new.dry_run;
  if (dr) out.push(dr.ok ? `the new VM's dry run: valid${p.new.applied_generation !== null ? ` (it has generation ${p.new.applied_generation} applied)` : ' (it is empty)'}` : `the new VM's dry run: ${dr.status} ${dr.code}`);
  out.push(p.moves ? 'the document moves unchanged' : `BLOCKED: ${p.blockers.length} blocker(s)`, ...formatErrors(p.blockers, '  '));
  return out;
}

function pair(o: PlanOpts): [AgentClient, AgentClient] {
  const id = loadIdentity(o);
  return [AgentClient.fromUrl(o.from, id, o.requestTimeout * 1000), AgentClient.fromUrl(o.to, id, o.requestTimeout * 1000)];
}

function readValid(file: string) {
  const { raw, result } = readDocument(file);
  if (!result.ok) throw new InvalidDocument(`${file} is invalid (${result.errors.length} error(s)):\n${formatErrors(result.errors, '  ').join('\n')}`);
  return { raw, doc: result.doc };
}

/** Registers `plan-upgrade` and `migrate`. */
export function registerUpgrade(program: Command, io: CliIo, done: (code: number) => void): void {
  const fromTo = (cmd: Command) =>
    withIdentity(cmd.argument('<doc>', 'the document the old VM serves (JSON file)').requiredOption('--from <url>', 'the old VM\'s agent').requiredOption('--to <url>', 'the new VM\'s agent').option('--json', 'print one JSON object'));
  fromTo(
    program
      .command('plan-upgrade')
      .summary('say whether a document moves unchanged to a new VM')
      .description(
        'Reads /v1/details of the old and the new VM and dry-runs DOC on both (POST /v1/loadbalancer/validate: neither engine is touched). ' +
          'Says whether DOC moves unchanged (engine, capabilities, schema and API versions, the new VM\'s own check), lists every ' +
          'blocker with its path, what differs between the VMs, and whether the old VM serves exactly DOC.\n\nExit: 0 it moves; 1 blocked; 3 unreachable; 2 bad arguments.',
      ),
  ).action(async (file: string, o: PlanOpts) => {
    const { raw, doc } = readValid(file);
    const [from, to] = pair(o);
    const plan = await planFor(from, to, raw, doc);
    if (o.json) printJson(io, plan);
    else io.stdout.write(formatPlan(plan, from.url, to.url).join('\n') + '\n');
    done(plan.moves ? EXIT.OK : EXIT.FAILED);
  });
  fromTo(
    program
      .command('migrate')
      .summary('move a document to a new VM and say when the old one may go')
      .description(
        'Plans as plan-upgrade does and stops on any blocker, or when the old VM does not serve exactly DOC. Then PUTs DOC to the new VM ' +
          'and waits until heartbeats heard after the push show the new VM reporting every listener, pool and member as the old VM does, with ' +
          'the same config_hash; only then does it say the old VM may be retired. It never changes the old VM.\n' +
          'Heartbeats: --bind and --heartbeat-key-file to receive them here (the agents\' controller_ip_port_list must include that address), or ' +
          '--watch-state FILE to read those of a running `amphora-ctl watch --state-file FILE`.\n\n' +
          'Exit: 0 the old VM may be retired; 1 blocked, the push failed, or no match within --wait; 3 unreachable; 2 bad arguments.',
      )
      .option('--bind <host:port>', 'receive heartbeats on this UDP address', parseBind)
      .option('--heartbeat-key-file <file>', 'file holding the heartbeat_key (with --bind)')
      .option('--heartbeat-key <key>', 'the key itself (visible in ps)')
      .option('--watch-state <file>', 'read heartbeats from a running watch\'s --state-file instead')
      .option('--wait <seconds>', 'how long to wait for matching heartbeats', seconds, 180),
  ).action(async (file: string, o: MigrateOpts) => done(await runMigrate(file, o, io)));
}

async function runMigrate(file: string, o: MigrateOpts, io: CliIo): Promise<number> {
  if (!!o.bind === !!o.watchState) throw new UsageError('say where heartbeats come from: --bind HOST:PORT with --heartbeat-key-file, or --watch-state FILE');
  const { raw, doc } = readValid(file);
  const [from, to] = pair(o);
  let source: HeartbeatSource;
  let close = async () => undefined as void;
  if (o.bind) {
    const receiver = new HeartbeatReceiver({ key: heartbeatKey({ key: o.heartbeatKey, keyFile: o.heartbeatKeyFile }, '--heartbeat-key') });
    const bound = await bindReceiver(receiver, o.bind.host, o.bind.port);
    io.onListening?.(bound.address);
    source = receiverSource(receiver);
    close = bound.close;
  } else source = watchStateSource(o.watchState!, 5000);
  let report: MigrateReport;
  try {
    report = await migrate({ from, to, raw, doc, source, timeoutMs: o.wait * 1000, onStep: (s) => !o.json && io.stderr.write(`${s}\n`) });
  } finally {
    await close();
  }
  if (o.json) printJson(io, report);
  else {
    const lines = [...formatPlan(report.plan, from.url, to.url)];
    if (report.push) lines.push(`push to the new VM: ${report.push.status} ${report.push.message}`, ...formatErrors(report.push.errors ?? []));
    lines.push(...report.differences.map((d) => `  still: ${d}`), report.result === 'retire_old' ? `DONE: ${report.message}` : `NOT DONE: ${report.message}`);
    io.stdout.write(lines.join('\n') + '\n');
  }
  return report.result === 'retire_old' ? EXIT.OK : EXIT.FAILED;
}
