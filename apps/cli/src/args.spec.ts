import { DEFAULT_TAIL_COUNT, MAX_TAIL_COUNT, parseCommand, topicMatcher } from './args';
import { CliError, EXIT } from './errors';

function usageErrorOf(argv: string[]): CliError {
  try {
    parseCommand(argv);
  } catch (e) {
    if (e instanceof CliError) return e;
    throw e;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('parseCommand', () => {
  it('reads topics with its patterns and switches', () => {
    expect(parseCommand(['topics'])).toEqual({
      kind: 'topics',
      patterns: [],
      json: false,
      internal: false,
    });
    expect(parseCommand(['topics', 'traffic.*', 'alerts', '--json', '--internal'])).toEqual({
      kind: 'topics',
      patterns: ['traffic.*', 'alerts'],
      json: true,
      internal: true,
    });
  });

  it('reads tail with its count and --follow, in any order', () => {
    expect(parseCommand(['tail', 'traffic.normalized'])).toEqual({
      kind: 'tail',
      topic: 'traffic.normalized',
      count: DEFAULT_TAIL_COUNT,
      follow: false,
    });
    expect(parseCommand(['tail', '-n', '25', 'alerts', '--follow'])).toEqual({
      kind: 'tail',
      topic: 'alerts',
      count: 25,
      follow: true,
    });
    expect(parseCommand(['tail', 'alerts', '-fn0'])).toMatchObject({ count: 0, follow: true });
    expect(parseCommand(['tail', 'alerts', '-n', ''])).toMatchObject({ count: DEFAULT_TAIL_COUNT });
  });

  it('answers --help and help with the usage', () => {
    expect(parseCommand(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['tail', 'x', '-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [[], 'which command?'],
    [['bogus'], "unknown command 'bogus'"],
    [['tail'], 'tail: which topic?'],
    [['tail', 'a', 'b'], 'one topic at a time'],
    [['tail', 'a', '-n', 'ten'], "-n must be a whole number from 0 to 100000, got 'ten'"],
    [['tail', 'a', '--n=-3'], "got '-3'"],
    [['tail', 'a', '-n', '-3'], 'argument is ambiguous'],
    [['tail', 'a', '-n', String(MAX_TAIL_COUNT + 1)], 'whole number'],
    [['tail', 'a', '--json'], 'tail does not take --json'],
    [['topics', '--follow'], 'topics does not take --follow'],
    [['topics', '-n', '3'], 'topics does not take -n'],
    [['topics', '--jsn'], "Unknown option '--jsn'"],
  ])('refuses %j with exit 64 and the usage: %s', (argv, message) => {
    const e = usageErrorOf(argv);
    expect(e.exitCode).toBe(EXIT.usage);
    expect(e.message).toContain(message);
    expect(e.message).toContain('usage:\n  citypulse topics');
  });
});

describe('topicMatcher', () => {
  it('matches every topic without patterns', () => {
    expect(topicMatcher([])('anything')).toBe(true);
  });

  it('matches whole names; * is any run of characters, dots are dots', () => {
    const m = topicMatcher(['traffic.*', 'alerts']);
    expect(m('traffic.raw')).toBe(true);
    expect(m('traffic.raw.dlq')).toBe(true);
    expect(m('alerts')).toBe(true);
    expect(m('alerts.dlq')).toBe(false);
    expect(m('trafficXraw')).toBe(false);
    expect(topicMatcher(['*.dlq'])('tickets.raw.dlq')).toBe(true);
    expect(topicMatcher(['traffic.raw'])('traffic-raw')).toBe(false);
  });
});
