import { isDataError } from './pool';

describe('isDataError', () => {
  it('is true for SQLSTATE classes 22 and 23, which the same rows raise again', () => {
    expect(isDataError({ code: '22021' })).toBe(true); // NUL in text
    expect(isDataError({ code: '22003' })).toBe(true); // number out of range
    expect(isDataError({ code: '22007' })).toBe(true); // bad datetime
    expect(isDataError({ code: '23514' })).toBe(true); // check constraint
  });

  it('is false for errors a retry may get past, and for things that are not PostgreSQL errors', () => {
    expect(isDataError({ code: '57P01' })).toBe(false); // admin shutdown
    expect(isDataError({ code: '08006' })).toBe(false); // connection failure
    expect(isDataError({ code: '40001' })).toBe(false); // serialization failure
    expect(isDataError({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isDataError(new Error('timeout'))).toBe(false);
    expect(isDataError(null)).toBe(false);
    expect(isDataError(undefined)).toBe(false);
  });
});
