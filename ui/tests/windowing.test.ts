import { describe, expect, it } from 'vitest';
import { pagesFor, windowRange } from '../src/lib/windowing';

describe('windowRange (virtual list, ACC-5)', () => {
  const base = { rowHeight: 50, viewportHeight: 500, count: 100_000, overscan: 5 };
  it('renders only the visible rows plus overscan at the top', () => {
    const r = windowRange({ ...base, scrollTop: 0 });
    expect(r.start).toBe(0);
    expect(r.end).toBe(16); // 10 visible + 1 partial + 5 overscan
    expect(r.offsetY).toBe(0);
    expect(r.totalHeight).toBe(5_000_000);
  });
  it('follows the scroll position', () => {
    const r = windowRange({ ...base, scrollTop: 50 * 1000 + 25 });
    expect(r.start).toBe(995);
    expect(r.end).toBe(1016);
    expect(r.offsetY).toBe(995 * 50);
    expect(r.end - r.start).toBeLessThan(30);
  });
  it('clamps at the bottom and past it', () => {
    const r = windowRange({ ...base, scrollTop: 99_999_999 });
    expect(r.end).toBe(100_000);
    expect(r.start).toBe(100_000 - 10 - 5);
  });
  it('handles short and empty lists', () => {
    expect(windowRange({ ...base, count: 3, scrollTop: 0 })).toEqual({ start: 0, end: 3, offsetY: 0, totalHeight: 150 });
    expect(windowRange({ ...base, count: 0, scrollTop: 0 })).toEqual({ start: 0, end: 0, offsetY: 0, totalHeight: 0 });
  });
  it('never renders more than a screenful for any scroll position', () => {
    for (let top = 0; top < 5_000_000; top += 123_457) {
      const r = windowRange({ ...base, scrollTop: top });
      expect(r.end - r.start).toBeLessThanOrEqual(21);
      expect(r.start).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('pagesFor', () => {
  it('lists the pages a range touches', () => {
    expect(pagesFor({ start: 0, end: 16 }, 200)).toEqual([0]);
    expect(pagesFor({ start: 190, end: 210 }, 200)).toEqual([0, 1]);
    expect(pagesFor({ start: 5, end: 5 }, 200)).toEqual([]);
  });
});
