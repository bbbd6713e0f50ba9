/** Which keys were used and when, written to the store in batches (last_used_at) rather than per request. */
import type { Store } from '../store/types.js';

const TOUCH_FLUSH_MS = 5000;

export class KeyUseRecorder {
  private readonly uses = new Map<string, number>();
  private touchTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly store: Store, now?: () => number) {
    this.now = now ?? Date.now;
  }

  note(keyId: string): void {
    this.uses.set(keyId, this.now());
    if (this.touchTimer === undefined) {
      this.touchTimer = setTimeout(() => {
        this.touchTimer = undefined;
        void this.flush();
      }, TOUCH_FLUSH_MS);
      this.touchTimer.unref();
    }
  }

  /** Writes what is pending; the store must still be open. */
  async close(): Promise<void> {
    clearTimeout(this.touchTimer);
    this.touchTimer = undefined;
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.uses.size === 0) return;
    const batch = new Map(this.uses);
    this.uses.clear();
    try {
      await this.store.touchKeys(batch);
    } catch {
      // Usage stamps are advisory; losing one batch must never fail a request.
    }
  }
}
