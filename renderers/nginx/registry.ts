/**
 * The context-level blocks (map, geo) a context gathers while its servers are
 * built, each variable made once: nginx variables and map capture names are
 * global to a context, so every name the renderer invents comes from here.
 */
import type { BlockView } from './view-model';

export class BlockRegistry {
  readonly blocks: BlockView[] = [];
  private readonly shared = new Map<string, string>();
  private seq = 0;

  /** A fresh number for variable and capture names (`amph_x<n>`). */
  next(): number {
    return this.seq++;
  }

  /** Adds a block as it is. */
  add(block: BlockView): void {
    this.blocks.push(block);
  }

  /**
   * The variable defined once for `key` (e.g. `cookie:SESSION`): `make` is
   * called with a fresh number the first time only, and returns the variable
   * (with its `$`) and the block that defines it.
   */
  once(key: string, make: (n: number) => { variable: string; block: BlockView }): string {
    const hit = this.shared.get(key);
    if (hit) return hit;
    const { variable, block } = make(this.next());
    this.blocks.push(block);
    this.shared.set(key, variable);
    return variable;
  }

  /** How many variables the blocks define (sizes nginx's variables hash). */
  variableCount(): number {
    return this.blocks.length + this.seq;
  }
}
