/**
 * Optimisers. The embedding table uses row-wise Adagrad (one accumulator per row, as fastText and our
 * calibration prototype did): only the rows a batch touched are read or written. Dense parameters (adapters,
 * the distillation head) use AdamW.
 */

export class RowAdagrad {
  private readonly accum: Float32Array;

  /** `accum` may be passed in (shared between worker threads); otherwise it is allocated here. */
  constructor(rows: number, private readonly dim: number, public lr: number, private readonly eps = 1e-8, accum?: Float32Array) {
    this.accum = accum ?? new Float32Array(rows);
  }

  /** Applies one row's gradient (already scaled by any clipping). */
  step(table: Float32Array, row: number, grad: Float32Array): void {
    let sq = 0;
    for (let d = 0; d < this.dim; d++) sq += grad[d]! * grad[d]!;
    const acc = (this.accum[row]! += sq / this.dim);
    const rate = this.lr / (Math.sqrt(acc) + this.eps);
    const base = row * this.dim;
    for (let d = 0; d < this.dim; d++) table[base + d]! -= rate * grad[d]!;
  }

  get state(): Float32Array {
    return this.accum;
  }
}

/** AdamW's moving state: step count and first/second moments. */
export interface AdamWState {
  t: number;
  m: Float32Array;
  v: Float32Array;
}

export class AdamW {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;

  constructor(size: number, public lr: number, private readonly weightDecay = 0, private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly eps = 1e-8) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  step(params: Float32Array, grad: Float32Array, scale = 1): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]! * scale;
      this.m[i] = this.beta1 * this.m[i]! + (1 - this.beta1) * g;
      this.v[i] = this.beta2 * this.v[i]! + (1 - this.beta2) * g * g;
      params[i]! -= this.lr * ((this.m[i]! / c1) / (Math.sqrt(this.v[i]! / c2) + this.eps) + this.weightDecay * params[i]!);
    }
  }

  /** The live state (views, not copies): serialise or clone it before the next step. */
  get state(): AdamWState {
    return { t: this.t, m: this.m, v: this.v };
  }

  restore(state: AdamWState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new Error(`AdamW state of ${state.m.length} values does not fit ${this.m.length} parameters`);
    }
    this.t = state.t;
    this.m.set(state.m);
    this.v.set(state.v);
  }
}

/** Factor that brings a gradient of norm `norm` down to at most `maxNorm` (1 when it is already smaller). */
export function clipFactor(norm: number, maxNorm: number): number {
  return maxNorm > 0 && norm > maxNorm ? maxNorm / norm : 1;
}
