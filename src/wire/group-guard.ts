/**
 * protons-runtime skips an unknown field of wire type 3 (a protobuf group) by calling
 * itself for each field inside it, so every byte 0x0b nests one call deeper: a 100 KB
 * gossip frame of them overflows the stack inside the decoder (found by fuzz/). This
 * replaces the reader's `skipType` with one that walks groups in a loop and refuses
 * nesting past `MAX_GROUP_DEPTH`; everything else still goes through the original.
 * weft's messages are proto3 and never hold groups, so a legitimate peer never comes near it.
 */
import { reader } from 'protons-runtime'

export const MAX_GROUP_DEPTH = 32

interface SkippingReader {
  uint32: () => number
  skipType: (wireType: number) => SkippingReader
}

const proto = Object.getPrototypeOf(reader(new Uint8Array(0))) as SkippingReader & { weftGroupGuard?: true }
if (proto.weftGroupGuard !== true) {
  const original = proto.skipType
  proto.skipType = function (this: SkippingReader, wireType: number): SkippingReader {
    if (wireType !== 3) return original.call(this, wireType)
    let depth = 1
    while (depth > 0) {
      const inner = this.uint32() & 7
      if (inner === 4) depth--
      else if (inner !== 3) original.call(this, inner)
      else if (++depth > MAX_GROUP_DEPTH) throw new Error(`protobuf groups nested deeper than ${MAX_GROUP_DEPTH}`)
    }
    return this
  }
  proto.weftGroupGuard = true
}
