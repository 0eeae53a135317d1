import { FlagError, usage, withFlags, type FlagSpec } from './flags';

const spec: FlagSpec = {
  command: 'toy',
  prefix: 'TOY_',
  variables: ['TOY_RATE', 'TOY_DRY_RUN', 'TOY_LATE_BY_SECONDS', 'TOY_STREAMS'],
  aliases: { 'late-by': 'LATE_BY_SECONDS' },
  switches: ['dry-run'],
};

describe('withFlags', () => {
  it('lays flags over the environment: values, =values, switches, aliases', () => {
    expect(
      withFlags(
        ['--', '--rate', 'max', '--dry-run', '--late-by=900', '--streams', 'a,b'],
        { TOY_RATE: '1', X: 'y' },
        spec,
      ),
    ).toEqual({
      TOY_RATE: 'max',
      TOY_DRY_RUN: 'true',
      TOY_LATE_BY_SECONDS: '900',
      TOY_STREAMS: 'a,b',
      X: 'y',
    });
  });

  it('lists every problem with the usage', () => {
    try {
      withFlags(['--speed', '3', 'oops', '--rate'], {}, spec);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(FlagError);
      expect((e as FlagError).problems).toEqual([
        'unknown flag --speed',
        'unexpected argument "3"',
        'unexpected argument "oops"',
        '--rate needs a value',
      ]);
      expect((e as FlagError).message).toContain('--late-by  (TOY_LATE_BY_SECONDS)');
    }
  });

  it('prints every flag with its variable', () => {
    expect(usage(spec)).toContain('--dry-run  (TOY_DRY_RUN)');
    expect(usage(spec)).toMatch(/^usage: toy \[flags\]/);
  });
});
