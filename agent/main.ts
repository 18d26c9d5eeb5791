/**
 * `amphora-agent --config-file FILE`: reads the configuration once, starts
 * the daemon in the foreground, stops it on SIGTERM/SIGINT (the proxy keeps
 * serving). Extra parts such as the heartbeat are wired in `companions`.
 */
import { loadConfig } from './config';
import type { ApplyStep } from './apply/transaction';
import { startDaemon, type Daemon } from './daemon';
import { AgentError } from './errors';
import { startHeartbeatCompanion } from './heartbeat/companion';
import { createLogger } from './log';

const USAGE = `usage: amphora-agent --config-file FILE

Starts the amphora agent in the foreground: restores the last applied
document, serves the HTTPS API (mutual TLS) and logs JSON lines to stdout.

  --config-file FILE   the INI file a stock Octavia controller writes
                       (amphora-agent.conf); keys: see docs/configuration.md
  --help               this text
  --version            print the agent's version
`;

/** Parses argv; returns the config file or an exit code. */
export function parseArgs(argv: string[]): { file: string } | { exit: number; out: string } {
  if (argv.includes('--help') || argv.includes('-h')) return { exit: 0, out: USAGE };
  if (argv.includes('--version')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { exit: 0, out: `${require('./info').agentVersion()}\n` };
  }
  const i = argv.findIndex((a) => a === '--config-file' || a.startsWith('--config-file='));
  if (i < 0) return { exit: 2, out: `missing --config-file\n\n${USAGE}` };
  const file = argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
  if (!file) return { exit: 2, out: `--config-file needs a file\n\n${USAGE}` };
  return { file };
}

/** The command's entry point. */
export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  if ('exit' in args) {
    (args.exit ? process.stderr : process.stdout).write(args.out);
    process.exitCode = args.exit;
    return;
  }
  let daemon: Daemon | null = null;
  const early = createLogger({ debug: false });
  try {
    const config = loadConfig(args.file);
    const log = createLogger({ debug: config.debug });
    // a test-only fault injection; unset on a real VM
    const killAt = process.env.AMPHORA_AGENT_KILL_AT as ApplyStep | undefined;
    daemon = await startDaemon({ config, log, companions: [startHeartbeatCompanion], killAt });
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('signal received', { signal });
      void daemon?.stop().then(() => process.exit(0), (e) => {
        log.error('stopping failed', { error: e });
        process.exit(1);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // a bug must not leave a half-working daemon: log it and exit; systemd restarts us, haproxy keeps serving
    process.on('unhandledRejection', (e) => {
      log.error('unhandled rejection; exiting', { error: e });
      process.exit(1);
    });
  } catch (e) {
    early.error(e instanceof AgentError ? e.message : 'the agent could not start', { code: (e as AgentError).code, error: e });
    process.stderr.write(`amphora-agent: ${(e as Error).message}\n`);
    process.exit(e instanceof AgentError && e.code === 'CONFIG_INVALID' ? 2 : 1);
  }
}

if (require.main === module) void main(process.argv.slice(2));
