/** The scripts' text: paths are single shell words whatever they hold (the scripts run for real in test/integration/keepalived-scripts). */
import { checkScriptText, notifyScriptText, shQuote } from './runtime-scripts';

test.each([
  ['/run/a', "'/run/a'"],
  ["/run/it's", "'/run/it'\\''s'"],
  ['/run/$(reboot)`x`;\n"', "'/run/$(reboot)`x`;\n\"'"],
])('shQuote(%j)', (s, want) => expect(shQuote(s)).toBe(want));

test('shQuote refuses NUL', () => expect(() => shQuote('a\0b')).toThrow(/NUL/));

test('the check script reads the engine pid file and looks for the marker on its command line', () => {
  const t = checkScriptText('haproxy', { pidFile: "/var/lib/a'b/run/haproxy.pid", cmdlineMarker: '/var/lib/x/run/master.sock' });
  expect(t.startsWith('#!/bin/sh\n')).toBe(true);
  expect(t).toContain("head -n 1 -- '/var/lib/a'\\''b/run/haproxy.pid'");
  expect(t).toContain("grep -qF -e '/var/lib/x/run/master.sock'");
  expect(t).toContain('exit 0\n');
});

test('the notify script keeps the state in the given file', () => {
  const t = notifyScriptText('/run/x/keepalived/vrrp-state');
  expect(t).toContain("state='/run/x/keepalived/vrrp-state'\n");
  expect(t).toContain('done < "$fifo"');
});
