// Resend countdowns (AUTH-4): the deadline is kept, not the seconds, so a throttled timer or a
// sleeping laptop never makes the count drift.

/** Whole seconds left until `deadlineMs`, never negative; rounds up so "0:01" shows for the last second. */
export function secondsLeft(deadlineMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((deadlineMs - nowMs) / 1000));
}

export type Ticker = {
  readonly left: number;
  start(seconds: number): void;
  stop(): void;
};

/** A countdown that calls `onTick(secondsLeft)` each second until 0. */
export function createTicker(onTick: (left: number) => void, now: () => number = Date.now): Ticker {
  let deadline = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let left = 0;
  const tick = () => {
    left = secondsLeft(deadline, now());
    onTick(left);
    if (left === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
  return {
    get left() {
      return left;
    },
    start(seconds: number) {
      deadline = now() + seconds * 1000;
      if (timer !== null) clearInterval(timer);
      timer = setInterval(tick, 250);
      tick();
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      left = 0;
      onTick(0);
    },
  };
}
