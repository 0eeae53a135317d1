import { canonicalId } from './reference-data.repository';

describe('canonicalId', () => {
  it('trims and upper-cases', () => {
    expect(canonicalId(' z01-s02 ')).toBe('Z01-S02');
    expect(canonicalId('Z01')).toBe('Z01');
  });
});
