/** A counting semaphore: at most `size` holders at once, the others wait in call order. */
export class RequestSlots {
  private active = 0;
  private readonly waiting: Array<(acquired: boolean) => void> = [];
  private closed = false;

  constructor(private readonly size: number) {}

  /** Resolves true once a slot is held, or false when `close` runs first. */
  acquire(): Promise<boolean> {
    if (this.closed) {
      return Promise.resolve(false);
    }
    if (this.active < this.size) {
      this.active += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Passes the slot to the longest waiter, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      this.active -= 1;
      return;
    }
    next(true);
  }

  /** Fails every waiter and every later `acquire`; holders keep their slots until they release them. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) {
      waiter(false);
    }
  }
}
