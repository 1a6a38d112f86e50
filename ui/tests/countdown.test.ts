import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTicker, secondsLeft } from '../src/lib/countdown';

describe('secondsLeft', () => {
  it('rounds up and never goes below zero', () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(10_000, 20_000)).toBe(0);
  });
});

describe('createTicker (resend countdown, AUTH-4)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts down from the deadline to zero and stops', () => {
    const seen: number[] = [];
    const tk = createTicker((s) => seen.push(s));
    tk.start(3);
    expect(tk.left).toBe(3);
    vi.advanceTimersByTime(1000);
    expect(tk.left).toBe(2);
    vi.advanceTimersByTime(5000);
    expect(tk.left).toBe(0);
    const n = seen.length;
    vi.advanceTimersByTime(5000);
    expect(seen.length).toBe(n);
  });

  it('does not drift when the timer is late (counts from the deadline)', () => {
    let now = 0;
    const tk = createTicker(() => {}, () => now);
    tk.start(60);
    now = 45_000; // a sleeping laptop: no ticks in between
    vi.advanceTimersByTime(250);
    expect(tk.left).toBe(15);
  });

  it('restarts and stops', () => {
    const tk = createTicker(() => {});
    tk.start(10);
    tk.start(60);
    expect(tk.left).toBe(60);
    tk.stop();
    expect(tk.left).toBe(0);
  });
});
