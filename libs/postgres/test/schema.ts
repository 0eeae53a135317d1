import { Pool } from 'pg';
import { stackEnv, uniqueName } from '@citypulse/testing';
import { createPool } from '../src';

/**
 * A fresh schema on the stack's PostgreSQL, with pools whose search_path points at it, so each
 * test migrates from nothing without needing CREATE DATABASE rights.
 */
export class TestSchema {
  readonly name = uniqueName('t').replace(/-/g, '_');
  readonly url = stackEnv().POSTGRES_URL;
  private readonly admin = new Pool({ connectionString: this.url, max: 1 });
  private readonly pools: Pool[] = [];

  async create(): Promise<this> {
    await this.admin.query(`CREATE SCHEMA ${this.name}`);
    return this;
  }

  pool(max = 4): Pool {
    const sep = this.url.includes('?') ? '&' : '?';
    const url = `${this.url}${sep}options=${encodeURIComponent(`-c search_path=${this.name}`)}`;
    const pool = createPool({ url, poolMax: max, applicationName: 'postgres-int-test' });
    this.pools.push(pool);
    return pool;
  }

  async drop(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.end()));
    await this.admin.query(`DROP SCHEMA IF EXISTS ${this.name} CASCADE`);
    await this.admin.end();
  }
}
