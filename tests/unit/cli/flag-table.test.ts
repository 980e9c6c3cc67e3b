import { describe, expect, it } from 'vitest';
import { parseCommandLine, type FlagTable } from '../../../server/cli/args';
import { gatewayFlags } from '../../../server/cli/feed-options';
import { CLI_TABLES, FEED_FLAGS, LAUNCH_FLAGS, RECORD_FLAGS, TAIL_FLAGS } from '../../../server/cli/flag-table';
import { BUILD_EMBED_HELP, FEED_HELP, LAUNCH_HELP, RECORD_HELP, TAIL_HELP } from '../../../server/cli/help';
import { UsageError } from '../../../server/cli/kinds';

/** The value `argv` gives flag `name` of `table`, with no environment. */
function value(table: FlagTable, name: string, argv: string[], env: Record<string, string> = {}): unknown {
  return (parseCommandLine(table, argv, { env, positionals: true }).values as Record<string, unknown>)[name];
}

/** Every CLI table that has a flag called `name`. */
function tablesWith(name: string): [string, FlagTable][] {
  return Object.entries(CLI_TABLES).filter(([, table]) => name in table);
}

describe('the flag table', () => {
  describe('a number flag means the same in every CLI', () => {
    it.each(['instruments', 'seed', 'rate'])('--%s parses alike wherever it is taken', (name) => {
      const tables = tablesWith(name);
      expect(tables.map(([cli]) => cli)).toEqual(expect.arrayContaining(['start', 'feed']));
      for (const [, table] of tables) {
        for (const text of ['2.5', '0', '3', '-1', '', 'x', '1e3']) {
          let outcome: unknown;
          try {
            outcome = value(table, name, [`--${name}`, text]);
          } catch (error) {
            outcome = error instanceof UsageError ? 'refused' : error;
          }
          expect({ text, outcome }).toEqual({ text, outcome: value2(tables[0]?.[1] as FlagTable, name, text) });
        }
      }
    });

    it('refuses a fraction of an instrument in npm start and npm run feed (it was accepted by one)', () => {
      for (const table of [FEED_FLAGS, LAUNCH_FLAGS])
        expect(() => value(table, 'instruments', ['--instruments', '2.5'])).toThrow(UsageError);
      expect(value(FEED_FLAGS, 'rate', ['--rate', '0.5'])).toBe(0.5);
      expect(value(LAUNCH_FLAGS, 'rate', ['--rate', '0.5'])).toBe(0.5);
    });

    it('reads every port as a whole number in 0..65535 (0 = any free port)', () => {
      for (const [table, name] of [
        [FEED_FLAGS, 'port'],
        [LAUNCH_FLAGS, 'port'],
        [LAUNCH_FLAGS, 'feed-port'],
      ] as const) {
        expect(value(table, name, [`--${name}`, '0'])).toBe(0);
        expect(value(table, name, [`--${name}`, '65535'])).toBe(65535);
        expect(() => value(table, name, [`--${name}`, '65536'])).toThrow(`--${name} must be a number in 0..65535, got "65536"`);
        expect(() => value(table, name, [`--${name}`, ''])).toThrow(`--${name} must be a number in 0..65535, got ""`);
        expect(() => value(table, name, [`--${name}`, '80.5'])).toThrow(`--${name} must be a whole number in 0..65535, got "80.5"`);
      }
    });

    it('caps every duration at what a timer can wait (2^31-1 ms)', () => {
      const durations = Object.keys(FEED_FLAGS).filter((name) => name.endsWith('-ms'));
      expect(durations).toEqual(
        expect.arrayContaining(['flush-ms', 'max-conflated-ms', 'hard-limit-grace-ms', 'slow-close-ms', 'restart-max-ms']),
      );
      for (const name of durations) {
        expect(value(FEED_FLAGS, name, [`--${name}`, '2147483647'])).toBe(2147483647);
        expect(() => value(FEED_FLAGS, name, [`--${name}`, '2147483648'])).toThrow(/must be a number in \d+\.\.2147483647/);
      }
    });

    it('refuses a ws URL no WebSocket can open, in npm start and npm run tail alike', () => {
      expect(() => value(LAUNCH_FLAGS, 'feed-url', ['--feed-url', 'ws://localhost:80800'])).toThrow(
        /--feed-url must be a ws:\/\/ or wss:\/\/ URL/,
      );
      expect(() => value(TAIL_FLAGS, 'url', ['--url', 'ws://localhost:80800', 'X'])).toThrow(/--url must be a ws:\/\/ or wss:\/\/ URL/);
    });
  });

  describe('environment variables', () => {
    it('count as unset when blank, in every CLI', () => {
      const blank = {
        FEED_PORT: '',
        FEED_HOST: '  ',
        PORT: '',
        DASHBOARD_HOST: '',
        FEED_URL: ' ',
        TICKWIRE_LOG_LEVEL: '',
        EMBED_FRAME_ANCESTORS: '',
      };
      const feed = parseCommandLine(FEED_FLAGS, [], { env: blank }).values;
      expect([feed.port, feed.host, feed['log-level']]).toEqual([8080, '127.0.0.1', undefined]);
      const start = parseCommandLine(LAUNCH_FLAGS, [], { env: blank }).values;
      expect([start.port, start.hostname, start['feed-port'], start['feed-url'], start['frame-ancestors']]).toEqual([
        3000,
        undefined,
        8080,
        [],
        undefined,
      ]);
      expect(parseCommandLine(TAIL_FLAGS, ['--all'], { env: blank }).values.url).toEqual([]);
      expect(parseCommandLine(RECORD_FLAGS, [], { env: blank }).values['log-level']).toBeUndefined();
    });

    it('stand in for an absent flag, parsed by the same kind, and are named when refused', () => {
      expect(value(FEED_FLAGS, 'port', [], { FEED_PORT: '9000' })).toBe(9000);
      expect(value(FEED_FLAGS, 'port', ['--port', '9001'], { FEED_PORT: '9000' })).toBe(9001);
      expect(() => value(LAUNCH_FLAGS, 'feed-port', [], { FEED_PORT: '2.5' })).toThrow(
        'FEED_PORT must be a whole number in 0..65535, got "2.5"',
      );
      expect(value(TAIL_FLAGS, 'url', ['--all'], { FEED_URL: 'ws://a:1,ws://b:2' })).toEqual(['ws://a:1', 'ws://b:2']);
      expect(value(LAUNCH_FLAGS, 'feed-url', [], { FEED_URL: 'ws://a:1, ws://b:2' })).toEqual(['ws://a:1', 'ws://b:2']);
      expect(value(LAUNCH_FLAGS, 'feed-url', ['--feed-url', 'ws://a:1', '--feed-url', 'ws://b:2'])).toEqual(['ws://a:1', 'ws://b:2']);
    });
  });

  describe('help text', () => {
    it.each([
      ['feed', FEED_FLAGS, FEED_HELP],
      ['start', LAUNCH_FLAGS, LAUNCH_HELP],
      ['record', RECORD_FLAGS, RECORD_HELP],
      ['tail', TAIL_FLAGS, TAIL_HELP],
      ['build:embed', CLI_TABLES['build:embed'], BUILD_EMBED_HELP],
    ] as const)('of npm run %s lists every flag of its table and every environment variable', (_cli, table, help) => {
      for (const [name, flag] of Object.entries(table)) {
        expect(help).toMatch(new RegExp(`^ {2}(-\\w, )?--${name}\\b`, 'm'));
        if (flag.env) expect(help).toContain(`env ${flag.env}`);
      }
      expect(help).toMatch(/^ {2}-h, --help\b/m);
    });

    it('shows defaults where they are defined (the gateway option, the simulator)', () => {
      expect(FEED_HELP).toMatch(/--soft-buffer-bytes <n> +a client whose socket[\s\S]*?\(default 262144\)\n {2}--hard-buffer-bytes/);
      expect(FEED_HELP).toMatch(/--port <n> +feed service port [^(]*\(default 8080; env FEED_PORT\)/);
    });

    it('tells how to watch conflation with tail, in feed and tail help', () => {
      for (const help of [FEED_HELP, TAIL_HELP]) expect(help).toContain('npm run feed -- --soft-buffer-bytes 16384');
    });
  });

  describe('the gateway flags', () => {
    it('map to the gateway options of the same meaning, and only when given', () => {
      const values = parseCommandLine(
        FEED_FLAGS,
        [
          '--soft-buffer-bytes',
          '16384',
          '--hard-buffer-bytes',
          '65536',
          '--max-conflated-ms',
          '3000',
          '--hard-limit-grace-ms',
          '500',
          '--slow-close-ms',
          '1000',
        ],
        { env: {} },
      ).values;
      expect(gatewayFlags(values)).toEqual({
        softBufferLimitBytes: 16384,
        hardBufferLimitBytes: 65536,
        maxConflatedMs: 3000,
        hardLimitGraceMs: 500,
        slowCloseTimeoutMs: 1000,
      });
      expect(gatewayFlags(parseCommandLine(FEED_FLAGS, [], { env: {} }).values)).toEqual({});
    });

    it('refuse a hard limit below the soft one, in flag names', () => {
      const values = parseCommandLine(FEED_FLAGS, ['--soft-buffer-bytes', '2000', '--hard-buffer-bytes', '1000'], { env: {} }).values;
      expect(() => gatewayFlags(values)).toThrow('--hard-buffer-bytes (1000) must be at least --soft-buffer-bytes (2000)');
      expect(() => parseCommandLine(FEED_FLAGS, ['--soft-buffer-bytes', '0'], { env: {} })).toThrow(
        '--soft-buffer-bytes must be a positive integer, got "0"',
      );
    });
  });

  describe('the command line', () => {
    it('refuses unknown flags, missing values and stray arguments as usage errors', () => {
      expect(() => parseCommandLine(FEED_FLAGS, ['--bogus'], { env: {} })).toThrow('unknown option --bogus');
      expect(() => parseCommandLine(FEED_FLAGS, ['--port'], { env: {} })).toThrow('--port needs a value');
      expect(() => parseCommandLine(FEED_FLAGS, ['stray'], { env: {} })).toThrow(/unexpected argument stray/);
      expect(() => parseCommandLine(FEED_FLAGS, ['--no-bursts=1'], { env: {} })).toThrow('--no-bursts takes no value');
    });

    it('answers -h and --help whatever else is given', () => {
      expect(parseCommandLine(FEED_FLAGS, ['--port', 'x', '-h'], { env: {} }).help).toBe(true);
    });
  });
});

/** What the first table that has `name` makes of `text`: the reference the others must match. */
function value2(table: FlagTable, name: string, text: string): unknown {
  try {
    return value(table, name, [`--${name}`, text]);
  } catch (error) {
    return error instanceof UsageError ? 'refused' : error;
  }
}

describe('--backfill-days', () => {
  it('takes a whole number of days in 0..3650', () => {
    expect(value(FEED_FLAGS, 'backfill-days', ['--backfill-days', '7'])).toBe(7);
    expect(() => value(FEED_FLAGS, 'backfill-days', ['--backfill-days', '-1'])).toThrow(UsageError);
    expect(() => value(FEED_FLAGS, 'backfill-days', ['--backfill-days', '3651'])).toThrow(UsageError);
    expect(FEED_HELP).toContain('--backfill-days');
  });
});
