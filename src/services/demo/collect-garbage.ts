// A full garbage collection between two parts of a demo load. Each part generates a few hundred thousand
// rows and turns them into statement text: ~100 MB of short-lived strings, many of which outlive a
// young-generation collection while their statement is built and sent, so they reach the old generation.
// V8 lets the old generation grow to several times its live size before collecting it, so without this
// the process's peak grew with every part (2,000 accounts: 475 MB on PostgreSQL, 615 MB on PGlite). The
// heap's live size between parts is small (the rows the extras read), so one collection costs little
// next to writing a part.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    // --expose-gc set at run time makes `gc` available to contexts created after it.
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}
