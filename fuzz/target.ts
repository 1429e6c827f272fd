import type { Rng } from './rng.js'

/** What a decoder may do with outside bytes: take them, or refuse them with a reason. */
export type Verdict = { ok: true } | { ok: false, reason: string }

export const ACCEPTED: Verdict = { ok: true }

export function refused (reason: string): Verdict {
  return { ok: false, reason }
}

/** Anything outside a target's contract: the fuzzer reports it with the input. */
export class FuzzFailure extends Error {
  override name = 'FuzzFailure'
}

export interface Target {
  name: string
  /** Input number i, built only from its own generator (so it can be rebuilt for a replay). */
  generate: (rng: Rng) => Uint8Array
  /** Returns the verdict; throws (anything) only on a contract violation. */
  run: (input: Uint8Array) => Verdict | Promise<Verdict>
  /**
   * Also decode some inputs from inside a larger buffer full of other bytes: a decoder
   * that reads past the end of its view would then answer differently.
   */
  viewCheck?: boolean
  /** Largest input the target accepts before refusing on size (for oversize mutations). */
  maxBytes?: number
}

/**
 * Errors of the declared type whose message betrays a JS-level fault underneath: the
 * decoders wrap every exception into their own error type, so without this check a
 * stack overflow or a TypeError inside them would pass as an ordinary refusal.
 */
const JS_FAULT = new RegExp([
  'Maximum call stack', 'is not a function', 'Cannot read propert', 'Cannot set propert', 'is not defined',
  'is not iterable', 'Cannot convert'
].join('|'), 'i')
/** Faults no wrapper may contain: the input cost the process its stack or its memory. */
const RESOURCE_FAULT = /Maximum call stack|Invalid array length|Array buffer allocation failed|out of memory/i

/**
 * `yjsParse`: Yjs has no error type of its own and reports a malformed update with
 * whatever its parser trips on (a TypeError from a missing content reader, say), so the
 * validator's job is to contain exactly those; only resource faults count there.
 */
export function checkNoFault (what: string, err: Error, yjsParse = false): void {
  if (RESOURCE_FAULT.test(err.message) || (!yjsParse && JS_FAULT.test(err.message))) {
    throw new FuzzFailure(`${what} hides a JS fault: ${err.message.slice(0, 300)}`)
  }
}
