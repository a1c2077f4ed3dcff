import type { Socket } from 'node:net';
import type { ToxicSpec } from './toxic-spec.ts';
import { type ConnectionControl, createStage, type Sink, Stage } from './toxics.ts';

/**
 * Above this many bytes held back by the toxics the source is paused, so a slow toxic (bandwidth,
 * latency) cannot make the proxy buffer a whole transfer in memory; 1 MiB is well above what a
 * Postgres or Redis round trip carries, so it never shapes a normal exchange.
 */
const MAX_HELD_BYTES = 1024 * 1024;

interface Applied {
  spec: ToxicSpec;
  stage: Stage;
}

/**
 * One direction of one connection: bytes read from `source` go through one stage per toxic, in the
 * order the toxics were added, and are written to `dest`. Toxics can be added, updated and removed
 * while data flows; whatever a removed toxic held is passed on, never dropped (except by timeout).
 */
export class Link {
  private readonly applied: Applied[] = [];
  private readonly sink: Sink;
  private inputEnded = false;
  private sinkEnded = false;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly control: ConnectionControl,
    private readonly onEnd: () => void,
  ) {
    this.sink = {
      write: (chunk) => {
        if (this.sinkEnded || dest.destroyed) return;
        dest.write(chunk);
        this.resumeIfRoom();
      },
      end: () => {
        if (this.sinkEnded) return;
        this.sinkEnded = true;
        if (!dest.destroyed) dest.end();
        this.onEnd();
      },
    };
    dest.on('drain', () => this.resumeIfRoom());
  }

  /** True once the end of stream reached the destination. */
  get ended(): boolean {
    return this.sinkEnded;
  }

  /** Applies the toxics (each with its own toxicity roll) and starts reading. */
  start(toxics: ToxicSpec[]): void {
    for (const spec of toxics) this.applied.push({ spec, stage: this.stageFor(spec) });
    this.rewire();
    this.source.on('data', this.onData);
    this.source.once('end', () => this.endInput());
    this.source.resume();
  }

  /** The source is done (FIN, error, or the other direction closed): end the chain after its data. */
  endInput(): void {
    if (this.inputEnded) return;
    this.inputEnded = true;
    this.source.off('data', this.onData);
    this.entry.end();
  }

  add(spec: ToxicSpec): void {
    this.applied.push({ spec, stage: this.stageFor(spec) });
    this.rewire();
  }

  update(spec: ToxicSpec): void {
    const index = this.indexOf(spec.name);
    const old = this.applied[index];
    if (!old) return;
    const stage = this.stageFor(spec, old.stage);
    old.stage.flush();
    old.stage.dispose();
    this.applied[index] = { spec, stage };
    this.rewire();
    this.resumeIfRoom();
  }

  remove(name: string): void {
    const index = this.indexOf(name);
    const old = this.applied[index];
    if (!old) return;
    old.stage.retire();
    old.stage.dispose();
    this.applied.splice(index, 1);
    this.rewire();
    this.resumeIfRoom();
  }

  dispose(): void {
    for (const { stage } of this.applied) stage.dispose();
  }

  private readonly onData = (chunk: Buffer) => {
    this.entry.write(chunk);
    if (this.full()) this.source.pause();
  };

  private get entry(): Sink {
    return this.applied[0]?.stage ?? this.sink;
  }

  /** A toxic that loses its toxicity roll still gets a place in the chain, as a pass-through. */
  private stageFor(spec: ToxicSpec, previous?: Stage): Stage {
    return Math.random() < spec.toxicity ? createStage(spec, this.control, previous) : new Stage();
  }

  private rewire(): void {
    this.applied.forEach(({ stage }, i) => {
      stage.out = this.applied[i + 1]?.stage ?? this.sink;
    });
  }

  private indexOf(name: string): number {
    return this.applied.findIndex((a) => a.spec.name === name);
  }

  private full(): boolean {
    const held = this.applied.reduce((sum, { stage }) => sum + stage.held, 0);
    return this.dest.writableNeedDrain || held > MAX_HELD_BYTES;
  }

  private resumeIfRoom(): void {
    if (!this.inputEnded && this.source.isPaused() && !this.full()) this.source.resume();
  }
}
