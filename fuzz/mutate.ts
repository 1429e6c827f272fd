/**
 * Byte- and protobuf-level mutations of valid messages. Random bytes almost
 * never get past the first length check; mutations of real messages do, so
 * that the fuzzer spends its inputs deep inside the decoders and validators.
 */
import type { Rng } from './rng.js'

/** Varint values that sit on the edges decoders get wrong: sign bits, 2^31, 2^32, 2^53, 2^64 - 1. */
const EDGE_VARINTS: readonly bigint[] = [
  0n, 1n, 2n, 0x7fn, 0x80n, 0x3fffn, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  2n ** 48n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n
]
const EDGE_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0b, 0x0c, 0x12, 0x1a]

export function varint (value: bigint): Uint8Array {
  const out: number[] = []
  let v = BigInt.asUintN(64, value)
  do {
    const byte = Number(v & 0x7fn)
    v >>= 7n
    out.push(v === 0n ? byte : byte | 0x80)
  } while (v !== 0n)
  return Uint8Array.from(out)
}

export function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.byteLength }
  return out
}

/** One top-level protobuf field: where its tag starts, where its value starts and ends. */
interface Field { start: number, valueStart: number, end: number, field: number, wireType: number }

function readVarint (b: Uint8Array, at: number): [bigint, number] | undefined {
  let v = 0n
  for (let i = 0; i < 10; i++) {
    if (at + i >= b.length) return undefined
    v |= BigInt(b[at + i] & 0x7f) << BigInt(7 * i)
    if ((b[at + i] & 0x80) === 0) return [v, at + i + 1]
  }
  return undefined
}

/** Splits a message into its top-level fields; undefined when it is not (or no longer) valid protobuf. */
export function parseFields (b: Uint8Array): Field[] | undefined {
  const fields: Field[] = []
  let at = 0
  while (at < b.length) {
    const tag = readVarint(b, at)
    if (tag === undefined) return undefined
    const [key, valueStart] = tag
    const wireType = Number(key & 7n)
    let end: number
    if (wireType === 0) {
      const v = readVarint(b, valueStart)
      if (v === undefined) return undefined
      end = v[1]
    } else if (wireType === 1) end = valueStart + 8
    else if (wireType === 5) end = valueStart + 4
    else if (wireType === 2) {
      const len = readVarint(b, valueStart)
      if (len === undefined) return undefined
      end = len[1] + Number(len[0])
    } else return undefined
    if (end > b.length) return undefined
    fields.push({ start: at, valueStart, end, field: Number(key >> 3n), wireType })
    at = end
  }
  return fields
}

function replace (b: Uint8Array, from: number, to: number, insert: Uint8Array): Uint8Array {
  return concat(b.subarray(0, from), insert, b.subarray(to))
}

function edgeVarint (rng: Rng): bigint {
  return rng.bool(0.8) ? rng.pick(EDGE_VARINTS) : BigInt(rng.int(2 ** 31))
}

/** The byte-level mutations: none of them knows anything about the format. */
const byteMutations: Array<(rng: Rng, b: Uint8Array, corpus: readonly Uint8Array[]) => Uint8Array> = [
  function bitFlip (rng, b) {
    if (b.length === 0) return rng.bytes(1)
    const out = b.slice()
    for (let n = 1 + rng.int(4); n > 0; n--) out[rng.int(out.length)] ^= 1 << rng.int(8)
    return out
  },
  function edgeByte (rng, b) {
    if (b.length === 0) return Uint8Array.of(rng.pick(EDGE_BYTES))
    const out = b.slice()
    out[rng.int(out.length)] = rng.pick(EDGE_BYTES)
    return out
  },
  function truncate (rng, b) {
    return b.slice(0, rng.int(b.length + 1))
  },
  function deleteRange (rng, b) {
    const from = rng.int(b.length + 1)
    return replace(b, from, Math.min(b.length, from + 1 + rng.int(16)), new Uint8Array(0))
  },
  function insertRandom (rng, b) {
    const at = rng.int(b.length + 1)
    return replace(b, at, at, rng.bytes(1 + rng.int(16)))
  },
  function duplicateRange (rng, b) {
    const from = rng.int(b.length + 1)
    const to = Math.min(b.length, from + 1 + rng.int(64))
    return replace(b, to, to, b.slice(from, to))
  },
  function splice (rng, b, corpus) {
    const other = rng.pick(corpus)
    return concat(b.subarray(0, rng.int(b.length + 1)), other.subarray(rng.int(other.length + 1)))
  },
  function varintAt (rng, b) {
    // A length field or counter anywhere (protobuf, lib0 and Yjs all use LEB128 varints).
    const at = rng.int(b.length + 1)
    const old = readVarint(b, at)
    return replace(b, at, old === undefined ? at : old[1], varint(edgeVarint(rng)))
  }
]

/** Mutations that understand protobuf framing; each returns undefined when the input does not parse. */
const protoMutations: Array<(rng: Rng, b: Uint8Array, fields: Field[]) => Uint8Array | undefined> = [
  function lengthEdit (rng, b, fields) {
    const f = fields.filter(f => f.wireType === 2)
    if (f.length === 0) return undefined
    const { valueStart, end } = rng.pick(f)
    const len = readVarint(b, valueStart) as [bigint, number]
    const actual = BigInt(end - len[1])
    const choices = [0n, actual - 1n, actual + 1n, actual + 100n, actual * 2n, edgeVarint(rng)]
    const pick = rng.pick(choices)
    return replace(b, valueStart, len[1], varint(pick < 0n ? 0n : pick))
  },
  function wireTypeConfusion (rng, b, fields) {
    const f = rng.pick(fields)
    const tag = (BigInt(f.field) << 3n) | BigInt((f.wireType + 1 + rng.int(7)) & 7)
    return replace(b, f.start, f.valueStart, varint(tag))
  },
  function duplicateField (rng, b, fields) {
    const f = rng.pick(fields)
    const copies = rng.bool(0.1) ? 1 + rng.int(2000) : 1
    const field = b.slice(f.start, f.end)
    return replace(b, f.end, f.end, concat(...Array.from({ length: copies }, () => field)))
  },
  function dropField (rng, b, fields) {
    const f = rng.pick(fields)
    return replace(b, f.start, f.end, new Uint8Array(0))
  },
  function swapFields (rng, b, fields) {
    if (fields.length < 2) return undefined
    const i = rng.int(fields.length - 1)
    const [x, y] = [fields[i], fields[i + 1]]
    return concat(b.subarray(0, x.start), b.subarray(y.start, y.end), b.subarray(x.start, x.end), b.subarray(y.end))
  },
  function varintValue (rng, b, fields) {
    const f = fields.filter(f => f.wireType === 0)
    if (f.length === 0) return undefined
    const { valueStart, end } = rng.pick(f)
    // Overlong encodings too: ten continuation bytes, or one past the ten a uint64 may take.
    const overlong = rng.bool(0.2) ? Uint8Array.from([...Array(rng.bool() ? 9 : 10).fill(0xff), 0x01]) : undefined
    return replace(b, valueStart, end, overlong ?? varint(edgeVarint(rng)))
  },
  function unknownField (rng, b, fields) {
    const at = rng.pick(fields).end
    const fieldNo = BigInt(rng.pick([8, 15, 16, 100, 2 ** 29 - 1]))
    const wt = BigInt(rng.pick([0, 1, 2, 5]))
    const body = wt === 0n
      ? varint(edgeVarint(rng))
      : wt === 1n ? rng.bytes(8) : wt === 5n ? rng.bytes(4) : concat(varint(3n), rng.bytes(3))
    return replace(b, at, at, concat(varint((fieldNo << 3n) | wt), body))
  },
  function groupNest (rng, b, fields) {
    // Start-group tags (wire type 3) that skipping code may follow recursively.
    const depth = rng.pick([10, 1000, 100_000])
    const at = rng.pick(fields).end
    return replace(b, at, at, new Uint8Array(depth).fill(rng.pick([0x0b, 0x43, 0x7b])))
  },
  function nested (rng, b, fields) {
    // Mutate inside an embedded message and fix up its length, so the outer frame stays valid.
    const f = fields.filter(f => f.wireType === 2)
    if (f.length === 0) return undefined
    const { start, valueStart, end } = rng.pick(f)
    const len = readVarint(b, valueStart) as [bigint, number]
    const inner = b.subarray(len[1], end)
    const innerFields = parseFields(inner)
    if (innerFields === undefined || innerFields.length === 0) return undefined
    const mutated = protoMutate(rng, inner, innerFields) ?? inner
    const tag = b.subarray(start, valueStart)
    return concat(b.subarray(0, start), tag, varint(BigInt(mutated.length)), mutated, b.subarray(end))
  }
]

function protoMutate (rng: Rng, b: Uint8Array, fields: Field[]): Uint8Array | undefined {
  return rng.pick(protoMutations)(rng, b, fields)
}

export interface MutateOptions {
  /** Some inputs are padded to just over the decoder's size limit. */
  oversizeTo?: number
  /** Understand protobuf framing (off for lib0 and JSON formats). */
  protobuf?: boolean
}

/** 1 to 4 stacked mutations of `seed`, drawing splice partners from `corpus`. */
export function mutate (
  rng: Rng, seed: Uint8Array, corpus: readonly Uint8Array[], options: MutateOptions = {}
): Uint8Array {
  let b = seed
  if (options.oversizeTo !== undefined && rng.bool(0.002)) {
    return concat(b, new Uint8Array(Math.max(1, options.oversizeTo + 1 - b.length)))
  }
  for (let n = 1 + rng.int(4); n > 0; n--) {
    let next: Uint8Array | undefined
    if (options.protobuf === true && rng.bool(0.6)) {
      const fields = parseFields(b)
      if (fields !== undefined && fields.length > 0) next = protoMutate(rng, b, fields)
    }
    b = next ?? rng.pick(byteMutations)(rng, b, corpus)
  }
  return b
}
