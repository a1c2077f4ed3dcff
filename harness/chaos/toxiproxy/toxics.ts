import { performance } from 'node:perf_hooks';
import type { ToxicAttributes, ToxicSpec } from './toxic-spec.ts';

/** Where a stage sends what it lets through: the next stage, or the destination socket. */
export interface Sink {
  write(chunk: Buffer): void;
  /** End of stream: the connection closes once it reaches the destination. */
  end(): void;
}

/** What a toxic may do to the whole connection besides shaping its own direction. */
export interface ConnectionControl {
  /** Aborts both sockets with a TCP RST. */
  reset(): void;
}

/**
 * One toxic acting on one direction of one connection. Stages are chained; the chain is rewired
 * while data flows, so a stage must only ever emit through `out` and stop once disposed.
 */
export class Stage implements Sink {
  out: Sink = { write() {}, end() {} };
  /** Bytes held back right now (for back-pressure on the source). */
  held = 0;
  protected closed = false;
  protected disposed = false;

  write(chunk: Buffer): void {
    this.emit(chunk);
  }
  end(): void {
    this.close();
  }
  /** The toxic is being replaced (updated): hand over everything held, at once. */
  flush(): void {}
  /** The toxic is being removed: by default the same as a flush. */
  retire(): void {
    this.flush();
  }
  /** The connection is gone or the stage was taken out: stop timers, forget held data. */
  dispose(): void {
    this.disposed = true;
    this.held = 0;
  }

  protected emit(chunk: Buffer): void {
    if (!this.closed && !this.disposed) this.out.write(chunk);
  }
  protected close(): void {
    if (this.closed || this.disposed) return;
    this.closed = true;
    this.out.end();
  }
}

type Scheduled = { at: number; chunk: Buffer | null };

/** A stage that releases chunks in order, each at a time of its choosing (null marks the end). */
abstract class TimedStage extends Stage {
  private queue: Scheduled[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Release time of the last scheduled item: nothing overtakes it. */
  protected lastAt = 0;

  protected schedule(chunk: Buffer | null, at: number): void {
    if (this.closed || this.disposed) return;
    const when = Math.max(at, this.lastAt);
    this.lastAt = when;
    if (this.queue.length === 0 && when <= performance.now()) {
      if (chunk) this.emit(chunk);
      else this.close();
      return;
    }
    this.queue.push({ at: when, chunk });
    if (chunk) this.held += chunk.length;
    this.arm();
  }

  override end(): void {
    this.schedule(null, performance.now());
  }

  override flush(): void {
    this.release(Number.POSITIVE_INFINITY);
  }

  override dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    super.dispose();
  }

  private arm(): void {
    const head = this.queue[0];
    if (this.timer || !head) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.release(performance.now());
        this.arm();
      },
      Math.max(0, head.at - performance.now()),
    );
  }

  private release(until: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (!this.disposed) {
      const head = this.queue[0];
      if (!head || head.at > until) break;
      this.queue.shift();
      if (head.chunk) {
        this.held -= head.chunk.length;
        this.emit(head.chunk);
      } else {
        this.close();
      }
    }
  }
}

/** Delays every chunk by latency ± jitter ms, keeping order. */
class Latency extends TimedStage {
  constructor(private readonly a: ToxicAttributes<'latency'>) {
    super();
  }
  override write(chunk: Buffer): void {
    const jitter = this.a.jitter > 0 ? (Math.random() * 2 - 1) * this.a.jitter : 0;
    this.schedule(chunk, performance.now() + this.a.latency + jitter);
  }
}

/** Lets through `rate` KB/s (1 KB = 1000 bytes, as upstream), in slices of at most 100 ms worth. */
class Bandwidth extends TimedStage {
  constructor(private readonly a: ToxicAttributes<'bandwidth'>) {
    super();
  }
  override write(chunk: Buffer): void {
    const bytesPerMs = this.a.rate;
    if (bytesPerMs <= 0) {
      this.schedule(chunk, 0);
      return;
    }
    const slice = Math.max(1, Math.floor(bytesPerMs * 100));
    for (let offset = 0; offset < chunk.length; offset += slice) {
      const piece = chunk.subarray(offset, offset + slice);
      this.schedule(piece, Math.max(performance.now(), this.lastAt) + piece.length / bytesPerMs);
    }
  }
}

/** Cuts chunks into pieces of average_size ± size_variation bytes, `delay` µs apart. */
class Slicer extends TimedStage {
  constructor(private readonly a: ToxicAttributes<'slicer'>) {
    super();
  }
  override write(chunk: Buffer): void {
    const { average_size: average, size_variation: variation } = this.a;
    if (average <= 0) {
      this.schedule(chunk, 0);
      return;
    }
    const gapMs = Math.max(0, this.a.delay) / 1000;
    let at = Math.max(performance.now(), this.lastAt + gapMs);
    for (let offset = 0; offset < chunk.length; at += gapMs) {
      const size = Math.max(1, Math.round(average + (Math.random() * 2 - 1) * variation));
      this.schedule(chunk.subarray(offset, offset + size), at);
      offset += size;
    }
  }
}

/** Passes data, but holds the end of stream back for `delay` ms. */
class SlowClose extends Stage {
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly a: ToxicAttributes<'slow_close'>) {
    super();
  }
  override end(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => this.close(), this.a.delay);
  }
  override flush(): void {
    if (this.timer) this.close();
    clearTimeout(this.timer);
  }
  override dispose(): void {
    clearTimeout(this.timer);
    super.dispose();
  }
}

/**
 * Drops all data and closes the connection after `timeout` ms (never when 0). Removing it closes the
 * connection too, as upstream does: the dropped bytes have left the stream unusable.
 */
class Timeout extends Stage {
  private readonly timer: NodeJS.Timeout | undefined;
  constructor(a: ToxicAttributes<'timeout'>) {
    super();
    if (a.timeout > 0) this.timer = setTimeout(() => this.close(), a.timeout);
  }
  override write(): void {}
  override retire(): void {
    this.close();
  }
  override dispose(): void {
    clearTimeout(this.timer);
    super.dispose();
  }
}

/**
 * On the first data (or end of stream) after it is applied, drops it and everything after, then
 * resets the connection `timeout` ms later. That trigger is upstream's: an idle connection is not reset.
 */
class ResetPeer extends Stage {
  private timer: NodeJS.Timeout | undefined;
  private triggered = false;
  constructor(
    private readonly a: ToxicAttributes<'reset_peer'>,
    private readonly control: ConnectionControl,
  ) {
    super();
  }
  override write(): void {
    this.trigger();
  }
  override end(): void {
    this.trigger();
  }
  /** Data was already dropped, so the connection cannot carry on: reset it now. */
  override flush(): void {
    if (this.triggered && !this.disposed) this.control.reset();
  }
  override dispose(): void {
    clearTimeout(this.timer);
    super.dispose();
  }
  private trigger(): void {
    if (this.triggered) return;
    this.triggered = true;
    this.timer = setTimeout(() => this.control.reset(), Math.max(0, this.a.timeout));
  }
}

/** Lets `bytes` bytes through, then closes the connection. The count survives an update. */
class LimitData extends Stage {
  transmitted = 0;
  constructor(private readonly a: ToxicAttributes<'limit_data'>) {
    super();
  }
  override write(chunk: Buffer): void {
    const remaining = Math.max(0, this.a.bytes - this.transmitted);
    const piece = chunk.subarray(0, remaining);
    if (piece.length > 0) {
      this.transmitted += piece.length;
      this.emit(piece);
    }
    if (this.transmitted >= this.a.bytes) this.close();
  }
}

/**
 * Builds the stage for one toxic on one connection. `previous` is the stage it replaces on an update,
 * so stateful toxics (limit_data) keep their count as upstream's do.
 */
export function createStage(spec: ToxicSpec, control: ConnectionControl, previous?: Stage): Stage {
  const a = spec.attributes;
  switch (spec.type) {
    case 'latency':
      return new Latency(a as ToxicAttributes<'latency'>);
    case 'bandwidth':
      return new Bandwidth(a as ToxicAttributes<'bandwidth'>);
    case 'slicer':
      return new Slicer(a as ToxicAttributes<'slicer'>);
    case 'slow_close':
      return new SlowClose(a as ToxicAttributes<'slow_close'>);
    case 'timeout':
      return new Timeout(a as ToxicAttributes<'timeout'>);
    case 'reset_peer':
      return new ResetPeer(a as ToxicAttributes<'reset_peer'>, control);
    case 'limit_data': {
      const stage = new LimitData(a as ToxicAttributes<'limit_data'>);
      if (previous instanceof LimitData) stage.transmitted = previous.transmitted;
      return stage;
    }
  }
}
