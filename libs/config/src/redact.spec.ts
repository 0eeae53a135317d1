import { REDACTED, isSecretKey, redact, redactString, redactedJson } from './redact';

describe('redaction', () => {
  it('masks URL passwords wherever they appear', () => {
    expect(redactString('postgres://citypulse:s3cret@127.0.0.1:5432/db')).toBe(
      'postgres://citypulse:***@127.0.0.1:5432/db',
    );
    expect(redactString('a=mongodb://u:p%40ss@h1,h2/x and http://h/no-creds')).toBe(
      'a=mongodb://u:***@h1,h2/x and http://h/no-creds',
    );
    expect(redactString('http://127.0.0.1:8081')).toBe('http://127.0.0.1:8081');
  });

  it('recognizes secret keys', () => {
    for (const k of [
      'password',
      'KAFKA_SASL_PASSWORD',
      'apiKey',
      'api_key',
      'token',
      'clientSecret',
      'key',
    ]) {
      expect(isSecretKey(k)).toBe(true);
    }
    for (const k of ['username', 'brokers', 'keyFields', 'url', 'port'])
      expect(isSecretKey(k)).toBe(false);
  });

  it('deep-copies a config with every secret masked', () => {
    const cfg = {
      kafka: {
        brokers: ['b:1'],
        sasl: { mechanism: 'scram-sha-256', username: 'svc', password: 'pw' },
      },
      registry: { url: 'https://u:p@reg', auth: { username: 'u', password: 'p' } },
      tls: { key: Buffer.from('private'), cert: 'CERT' },
      empty: { password: '' },
    };
    const out = redact(cfg);
    expect(out).toEqual({
      kafka: {
        brokers: ['b:1'],
        sasl: { mechanism: 'scram-sha-256', username: 'svc', password: REDACTED },
      },
      registry: { url: `https://u:${REDACTED}@reg`, auth: { username: 'u', password: REDACTED } },
      tls: { key: REDACTED, cert: 'CERT' },
      empty: { password: '' },
    });
    expect(cfg.kafka.sasl.password).toBe('pw');
    expect(redactedJson(cfg)).not.toMatch(/"pw"|:p@|private/);
  });

  it('summarizes certificates and masks private keys, under any key', () => {
    const body = 'MIIDKzCCAhOgAwIBAgIUbp43hEe80EHixWvxJVX8isZxQvcwDQYJKoZIhvcNAQEL\n';
    const cert = `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
    const key = `-----BEGIN PRIVATE KEY-----\n${body}-----END PRIVATE KEY-----\n`;
    const rsa = `-----BEGIN RSA PRIVATE KEY-----\n${body}-----END RSA PRIVATE KEY-----`;
    expect(
      redact({ ssl: { ca: [cert + cert], clientCert: cert, pem: key, other: `x ${rsa} y` } }),
    ).toEqual({
      ssl: {
        ca: [`[PEM CERTIFICATE, ${cert.length} bytes][PEM CERTIFICATE, ${cert.length} bytes]`],
        clientCert: `[PEM CERTIFICATE, ${cert.length} bytes]`,
        pem: REDACTED,
        other: `x ${REDACTED} y`,
      },
    });
    expect(redactedJson({ pem: key })).not.toContain(body.trim());
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { password: 'x' };
    a.self = a;
    expect(redact(a)).toEqual({ password: REDACTED, self: '[circular]' });
  });
});
