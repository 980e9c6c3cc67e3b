import { describe, expect, it } from 'vitest';
import { DEFAULT_FEED_URL } from '../../../lib/net/feed-address';
import { parseTailArgs, UsageError } from '../../../server/cli/tail-args';

function args(argv: string[]) {
  const result = parseTailArgs(argv);
  if (result.help) throw new Error('unexpected help');
  return result.args;
}

describe('parseTailArgs', () => {
  it('defaults to the local gateway, binary frames, no bars and every kind', () => {
    const a = args(['BTC-USD']);
    expect(a).toMatchObject({ urls: [DEFAULT_FEED_URL], interval: 0, protocol: 'binary', all: false, symbols: ['BTC-USD'] });
    expect([...a.kinds]).toEqual(['trade', 'quote', 'bar', 'session']);
  });

  it('collects repeated and comma-separated --url values for failover', () => {
    expect(args(['--url', 'ws://a:1,ws://b:2', '--url=wss://c', 'X']).urls).toEqual(['ws://a:1', 'ws://b:2', 'wss://c']);
  });

  it('parses --interval labels into seconds', () => {
    expect(args(['--interval', '1m', 'X']).interval).toBe(60);
    expect(args(['--interval=1h', 'X']).interval).toBe(3600);
    expect(args(['--interval', '1H', 'X']).interval).toBe(3600);
    expect(args(['--interval', '15M', 'X']).interval).toBe(900);
    expect(args(['--interval', '4h', 'X']).interval).toBe(14400);
    expect(args(['--interval', '1D', 'X']).interval).toBe(86400);
    expect(args(['--interval=1d', 'X']).interval).toBe(86400);
    expect(args(['--interval', '1w', 'X']).interval).toBe(604800);
  });

  it('names all nine intervals when --interval is not one of them', () => {
    expect(() => args(['--interval', '1mo', 'X'])).toThrow('must be one of 1s, 5s, 1m, 5m, 15m, 1h, 4h, 1D, 1W, got "1mo"');
  });

  it('takes --json, --all and --kinds', () => {
    const a = args(['--json', '--all', '--kinds', 'trade,bar']);
    expect(a.protocol).toBe('json');
    expect(a.all).toBe(true);
    expect([...a.kinds]).toEqual(['trade', 'bar']);
  });

  it('takes --history n (1..1000) with --interval and SYMBOLs only', () => {
    expect(args(['X']).history).toBe(0);
    expect(args(['--history', '300', '--interval', '1m', 'X'])).toMatchObject({ history: 300, interval: 60 });
    expect(() => parseTailArgs(['--history', '0', '--interval', '1m', 'X'])).toThrow('--history must be a number in 1..1000, got "0"');
    expect(() => parseTailArgs(['--history', '1001', '--interval', '1m', 'X'])).toThrow(UsageError);
    expect(() => parseTailArgs(['--history', '5', 'X'])).toThrow('--history needs --interval (the bars to print)');
    expect(() => parseTailArgs(['--history', '5', '--interval', '1m', '--all'])).toThrow('--history needs SYMBOLs, not --all');
  });

  it('removes repeated symbols', () => {
    expect(args(['A', 'B', 'A']).symbols).toEqual(['A', 'B']);
  });

  it('asks for help on -h and --help', () => {
    expect(parseTailArgs(['-h'])).toEqual({ help: true });
    expect(parseTailArgs(['BTC-USD', '--help'])).toEqual({ help: true });
  });

  it.each([
    [[], /at least one SYMBOL/],
    [['--interval', '2m', 'X'], /--interval must be one of/],
    [['--url', 'http://x', 'X'], /ws:\/\/ or wss:\/\//],
    [['--url', 'ws://localhost:80800', 'X'], /--url must be a ws:\/\/ or wss:\/\/ URL, got "ws:\/\/localhost:80800"/],
    [['--url', 'ws://:8080', 'X'], /ws:\/\/ or wss:\/\//],
    [['--url', 'ws:///x', 'X'], /ws:\/\/ or wss:\/\//],
    [['--kinds', 'trade,candle', 'X'], /--kinds/],
    [['--bogus', 'X'], /unknown option --bogus/],
    [['X', '--url'], /--url needs a value/],
  ])('rejects %j with a UsageError', (argv, message) => {
    expect(() => parseTailArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseTailArgs(argv as string[])).toThrow(message);
  });
});
