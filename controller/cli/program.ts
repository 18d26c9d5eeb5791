/**
 * The `amphora-ctl` program: every command registered on one commander
 * program that writes to injected streams and never exits the process itself,
 * so `runCtl` can be called from tests and scripts.
 */
import { Command, CommanderError } from 'commander';
import { agentVersionOf } from './version';
import { ControllerError } from '../errors';
import { registerCerts } from './certs';
import { EXIT, type CliIo } from './common';
import { registerInfo } from './info';
import { registerPush } from './push';
import { registerUpgrade } from './upgrade';
import { registerValidate } from './validate';
import { registerWatch } from './watch';

const EXIT_BY_CODE: Record<string, number> = { USAGE: EXIT.USAGE, AGENT_UNREACHABLE: EXIT.UNREACHABLE, AGENT_REFUSED: EXIT.FAILED, DOCUMENT_INVALID: EXIT.FAILED };

/** Builds the program; `done` receives each command's exit code. */
export function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command('amphora-ctl');
  program
    .description(
      'The thin controller of amphora-agent VMs: push documents, check agents, watch heartbeats, make lab certificates, ' +
        'and upgrade by replacing a VM. Agents are https://HOST[:PORT] (port 9443 by default), reached over mutual TLS.\n\n' +
        'Exit codes: 0 done; 1 an agent or the document said no; 2 bad arguments or input files; 3 an agent could not be reached.',
    )
    .version(agentVersionOf(), '-V, --version')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(add --help for more)')
    .showSuggestionAfterError();
  // subcommands made with .command() after this inherit the output and exit settings
  for (const register of [registerPush, registerValidate, registerInfo, registerWatch, registerCerts, registerUpgrade]) register(program, io, done);
  return program;
}

/** Runs `amphora-ctl` with `argv` (the arguments after the program name); resolves with the exit code. */
export async function runCtl(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version "fail" with exit code 0; a bare `amphora-ctl` shows the help as an error
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const c = e instanceof ControllerError ? (EXIT_BY_CODE[e.code] ?? EXIT.FAILED) : EXIT.FAILED;
    io.stderr.write(`amphora-ctl: ${(e as Error).message}\n`);
    return c;
  }
}
