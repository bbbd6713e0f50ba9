/**
 * The evaluation's time budget as gates see it. A synchronous gate cannot be interrupted by the engine's timer (the
 * timer only fires once the gate has returned), so the budget has to be observed from inside the work itself: the
 * walker and the built-in scanners account for what they do and give up once the deadline has passed. The engine
 * then reports such a gate as `pecta:timeout`.
 *
 * Work is counted in units of roughly one visited value, or `CHARS_PER_UNIT` characters of text scanned; the clock
 * is read once every `UNITS_PER_CHECK` units, which keeps the overrun after the deadline to a fraction of a
 * millisecond while costing one subtraction per unit on the hot path.
 */

/** What a gate's `run` receives as its third argument. */
export interface Budget {
  /** The deadline, on the `performance.now()` clock. */
  readonly deadline: number;
  /** True once the deadline has passed. */
  expired(): boolean;
}

/** Characters of text that count as one unit of work. */
export const CHARS_PER_UNIT = 16;
/** Units of work between two readings of the clock. */
export const UNITS_PER_CHECK = 1024;

/** Thrown by `Meter.spend` past the deadline; the engine turns it into `pecta:timeout`. */
export class BudgetExceeded extends Error {
  constructor() {
    super('the evaluation budget is spent');
    this.name = 'BudgetExceeded';
  }
}

/** One evaluation's budget, with the accounting the built-in gates use. */
export class Meter implements Budget {
  readonly deadline: number;
  readonly #now: () => number;
  #credit = UNITS_PER_CHECK;

  /** `now` reads the clock the deadline is on (injectable for tests). */
  constructor(deadline: number, now: () => number = defaultNow) {
    this.deadline = deadline;
    this.#now = now;
  }

  expired(): boolean {
    return this.#now() > this.deadline;
  }

  /** Accounts `units` of work; throws `BudgetExceeded` when a periodic reading of the clock is past the deadline. */
  spend(units: number): void {
    this.#credit -= units;
    if (this.#credit > 0) return;
    this.#credit = UNITS_PER_CHECK;
    if (this.#now() > this.deadline) throw new BudgetExceeded();
  }

  /** Accounts a scan of `chars` characters of text. */
  spendChars(chars: number): void {
    this.spend(1 + chars / CHARS_PER_UNIT);
  }
}

function defaultNow(): number {
  return performance.now();
}

/**
 * The meter a built-in gate accounts its work with: the engine's own, a meter over a budget some other caller built,
 * or none at all when the gate is run directly without a budget (then nothing limits it).
 */
export function meterOf(budget: Budget | undefined): Meter | undefined {
  if (budget === undefined) return undefined;
  if (budget instanceof Meter) return budget;
  // Whatever clock a foreign budget keeps, its own expired() is the authority.
  return new Meter(budget.deadline, () => (budget.expired() ? Infinity : -Infinity));
}
