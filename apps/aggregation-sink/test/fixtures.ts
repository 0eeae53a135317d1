export {
  SAMPLE_T0 as T0,
  SAMPLE_WINDOW_MS as WINDOW_MS,
  sampleMobilityUpdate as mobilityUpdate,
  sampleTrafficUpdate as trafficUpdate,
} from '../src/aggregates/samples';

/** A deterministic shuffle (mulberry32), so "out of order" is the same order every run. */
export function shuffled<T>(items: readonly T[], seed = 42): T[] {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
