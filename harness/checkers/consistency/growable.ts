/**
 * Growable typed arrays: a history of a million operations is held as columns of numbers, not as
 * objects (a tenth of the memory, and no garbage collector walking them).
 */
export class Int32Column {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): number {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length] = v;
    return this.length++;
  }
  /** Gives back the room grown for pushes that will not come. */
  trim(): void {
    if (this.data.length > this.length) this.data = this.data.slice(0, this.length);
  }
}

export class Float64Column {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): number {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length] = v;
    return this.length++;
  }
  /** Gives back the room grown for pushes that will not come. */
  trim(): void {
    if (this.data.length > this.length) this.data = this.data.slice(0, this.length);
  }
}

export class Uint8Column {
  data = new Uint8Array(1024);
  length = 0;
  push(v: number): number {
    if (this.length === this.data.length) {
      const next = new Uint8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length] = v;
    return this.length++;
  }
  /** Gives back the room grown for pushes that will not come. */
  trim(): void {
    if (this.data.length > this.length) this.data = this.data.slice(0, this.length);
  }
}
