/** `amphora-ctl certs init|agent|client`: a lab CA and the certificates agents and controllers present. */
import type { Command } from 'commander';
import { initCa, issueAgent, issueClient } from '../certs';
import { collect, EXIT, positiveInt, printJson, type CliIo } from './common';

interface Base {
  dir: string;
  days: number;
  force?: boolean;
  json?: boolean;
}

/** Registers `certs` and its three subcommands. */
export function registerCerts(program: Command, io: CliIo, done: (code: number) => void): void {
  const certs = program
    .command('certs')
    .summary('make a CA, agent and controller certificates (labs and tests)')
    .description(
      'Makes certificates with the openssl binary, EC P-256 keys written 0600. One CA signs both sides here: ' +
        'its ca.pem is the agents\' agent_server_ca and the controller\'s --ca. Production certificates come from ' +
        'your own PKI or Octavia\'s certificate generator.',
    );
  const base = (cmd: Command) =>
    cmd
      .option('--dir <dir>', 'where the CA is (and the files go)', 'amphora-certs')
      .option('--days <n>', 'validity in days', positiveInt, 365)
      .option('--force', 'replace files that exist')
      .option('--json', 'print the paths written as JSON');
  const report = (o: Base, files: Record<string, string>) => {
    if (o.json) printJson(io, files);
    else io.stdout.write(Object.entries(files).map(([k, v]) => `${k.padEnd(5)} ${v}`).join('\n') + '\n');
    done(EXIT.OK);
  };
  base(certs.command('init').description('Makes DIR/ca.pem and DIR/ca.key, the CA the other subcommands sign with.'))
    .option('--name <cn>', 'subject CN of the CA', 'amphora-ctl lab CA')
    .action((o: Base & { name: string }) => {
      const f = initCa({ dir: o.dir, days: o.days, force: o.force, name: o.name });
      report(o, { ca: f.cert, key: f.key });
    });
  base(
    certs
      .command('agent')
      .description(
        'Makes DIR/agent-<id>.pem: the agent\'s certificate and key in one PEM, as [amphora_agent] agent_server_cert wants. ' +
          'Its CN and a DNS name are the amphora id; every --address (the IPs the controller connects to) is a subject name.',
      ),
  )
    .requiredOption('--amphora-id <id>', 'the amphora id ([amphora_agent] amphora_id)')
    .requiredOption('--address <ip>', 'an address of the agent\'s API (repeatable)', collect)
    .option('--out <file>', 'write here instead of DIR/agent-<id>.pem')
    .action((o: Base & { amphoraId: string; address: string[]; out?: string }) => {
      report(o, { agent: issueAgent({ dir: o.dir, days: o.days, force: o.force, amphoraId: o.amphoraId, addresses: o.address, out: o.out }) });
    });
  base(certs.command('client').description('Makes DIR/<name>.pem and DIR/<name>.key, a client certificate agents trusting the CA accept.'))
    .option('--name <name>', 'file name and subject CN', 'controller')
    .action((o: Base & { name: string }) => {
      const f = issueClient({ dir: o.dir, days: o.days, force: o.force, name: o.name });
      report(o, { cert: f.cert, key: f.key });
    });
}
