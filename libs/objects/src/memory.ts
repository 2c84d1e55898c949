import { InvalidValue, registerError, type ZunError } from '@zun-ts/common';

/** A container's `memory` that is not a number of MiB. */
export class InvalidMemory extends InvalidValue {
  /** The error for the value `memory`. */
  static of(memory: unknown): InvalidMemory {
    return new InvalidMemory(`Invalid memory ${JSON.stringify(memory)}: must be a whole number of MiB.`);
  }
}
registerError(InvalidMemory as unknown as new (message: string) => ZunError);

/** Digits of MiB, with the `M` suffix older Zun releases stored ("512M"); blanks around are ignored. */
const MEMORY_MIB = /^\s*(\d+)\s*[mM]?\s*$/;

/**
 * MiB in one of Zun's memory values: a whole number, or a string of digits (the API stores `"512"`),
 * optionally suffixed `M`/`m` as older Zun rows are. Anything else (other units, fractions, negative
 * numbers, junk) is {@link InvalidMemory}: the API validated the value, so junk is a corrupt record, never
 * something to read as "no memory request".
 */
export function parseMemoryMiB(memory: string | number): number {
  let mib: number;
  if (typeof memory === 'number') mib = memory;
  else {
    const digits = MEMORY_MIB.exec(memory)?.[1];
    mib = digits === undefined ? NaN : Number(digits);
  }
  if (!Number.isSafeInteger(mib) || mib < 0) throw InvalidMemory.of(memory);
  return mib;
}

/** {@link parseMemoryMiB} of a nullable field: unset (null or undefined) is null; junk still throws. */
export function memoryMiBOf(memory: string | number | null | undefined): number | null {
  return memory === null || memory === undefined ? null : parseMemoryMiB(memory);
}
