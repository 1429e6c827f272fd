import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Envelope {
  version: number
  docId: string
  author: Uint8Array<ArrayBuffer>
  seq: number
  hlc: bigint
  payload: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  payloadHash: Uint8Array<ArrayBuffer>
  ends: Uint8Array<ArrayBuffer>
}

export namespace Envelope {
  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.docId != null && obj.docId !== '')) {
          w.uint32(18)
          w.string(obj.docId)
        }

        if ((obj.author != null && obj.author.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.author)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.seq)
        }

        if ((obj.hlc != null && obj.hlc !== 0n)) {
          w.uint32(40)
          w.uint64(obj.hlc)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.payload)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.signature)
        }

        if ((obj.payloadHash != null && obj.payloadHash.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.payloadHash)
        }

        if ((obj.ends != null && obj.ends.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.ends)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          docId: '',
          author: uint8ArrayAlloc(0),
          seq: 0,
          hlc: 0n,
          payload: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          payloadHash: uint8ArrayAlloc(0),
          ends: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.docId = reader.string()
              break
            }
            case 3: {
              obj.author = reader.bytes()
              break
            }
            case 4: {
              obj.seq = reader.uint64Number()
              break
            }
            case 5: {
              obj.hlc = reader.uint64()
              break
            }
            case 6: {
              obj.payload = reader.bytes()
              break
            }
            case 7: {
              obj.signature = reader.bytes()
              break
            }
            case 8: {
              obj.payloadHash = reader.bytes()
              break
            }
            case 9: {
              obj.ends = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.docId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.author`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.hlc`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.payloadHash`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.ends`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EnvelopeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface EnvelopeDocIdFieldEvent {
    field: '$.docId'
    value: string
  }

  export interface EnvelopeAuthorFieldEvent {
    field: '$.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface EnvelopeHlcFieldEvent {
    field: '$.hlc'
    value: bigint
  }

  export interface EnvelopePayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopePayloadHashFieldEvent {
    field: '$.payloadHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeEndsFieldEvent {
    field: '$.ends'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeVersionFieldEvent | EnvelopeDocIdFieldEvent | EnvelopeAuthorFieldEvent | EnvelopeSeqFieldEvent | EnvelopeHlcFieldEvent | EnvelopePayloadFieldEvent | EnvelopeSignatureFieldEvent | EnvelopePayloadHashFieldEvent | EnvelopeEndsFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}

export interface VersionEntry {
  author: Uint8Array<ArrayBuffer>
  seq: number
}

export namespace VersionEntry {
  let _codec: Codec<VersionEntry>

  export const codec = (): Codec<VersionEntry> => {
    if (_codec == null) {
      _codec = message<VersionEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.author != null && obj.author.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.author)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          author: uint8ArrayAlloc(0),
          seq: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.author = reader.bytes()
              break
            }
            case 2: {
              obj.seq = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.author`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface VersionEntryAuthorFieldEvent {
    field: '$.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VersionEntrySeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export function encode (obj: Partial<VersionEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, VersionEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionEntry>): VersionEntry {
    return decodeMessage(buf, VersionEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<VersionEntry>): Generator<VersionEntryAuthorFieldEvent | VersionEntrySeqFieldEvent> {
    return streamMessage(buf, VersionEntry.codec(), opts)
  }
}

export interface Checkpoint {
  version: number
  docId: string
  vv: VersionEntry[]
  hlc: bigint
  update: Uint8Array<ArrayBuffer>
  signer: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace Checkpoint {
  let _codec: Codec<Checkpoint>

  export const codec = (): Codec<Checkpoint> => {
    if (_codec == null) {
      _codec = message<Checkpoint>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.docId != null && obj.docId !== '')) {
          w.uint32(18)
          w.string(obj.docId)
        }

        if (obj.vv != null && obj.vv.length > 0) {
          for (const value of obj.vv) {
            w.uint32(26)
            VersionEntry.codec().encode(value, w)
          }
        }

        if ((obj.hlc != null && obj.hlc !== 0n)) {
          w.uint32(32)
          w.uint64(obj.hlc)
        }

        if ((obj.update != null && obj.update.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.update)
        }

        if ((obj.signer != null && obj.signer.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.signer)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          docId: '',
          vv: [],
          hlc: 0n,
          update: uint8ArrayAlloc(0),
          signer: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.docId = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.vv != null && obj.vv.length === opts.limits.vv) {
                throw new MaxLengthError('Decode error - repeated field "vv" had too many elements')
              }

              obj.vv.push(VersionEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.vv$
              }))
              break
            }
            case 4: {
              obj.hlc = reader.uint64()
              break
            }
            case 5: {
              obj.update = reader.bytes()
              break
            }
            case 6: {
              obj.signer = reader.bytes()
              break
            }
            case 7: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          vv: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.docId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.vv != null && obj.vv === opts.limits.vv) {
                throw new MaxLengthError('Streaming decode error - repeated field "vv" had too many elements')
              }

              for (const evt of VersionEntry.codec().stream(reader, reader.uint32(), `${prefix}.vv[]`, {
                limits: opts.limits?.vv$
              })) {
                yield {
                  ...evt,
                  index: obj.vv
                }
              }

              obj.vv++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.hlc`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.update`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.signer`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CheckpointVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface CheckpointDocIdFieldEvent {
    field: '$.docId'
    value: string
  }

  export interface CheckpointVvAuthorFieldEvent {
    field: '$.vv[].author'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CheckpointVvSeqFieldEvent {
    field: '$.vv[].seq'
    value: number
    index: number
  }

  export interface CheckpointHlcFieldEvent {
    field: '$.hlc'
    value: bigint
  }

  export interface CheckpointUpdateFieldEvent {
    field: '$.update'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CheckpointSignerFieldEvent {
    field: '$.signer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CheckpointSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Checkpoint>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Checkpoint.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Checkpoint>): Checkpoint {
    return decodeMessage(buf, Checkpoint.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Checkpoint>): Generator<CheckpointVersionFieldEvent | CheckpointDocIdFieldEvent | CheckpointVvAuthorFieldEvent | CheckpointVvSeqFieldEvent | CheckpointHlcFieldEvent | CheckpointUpdateFieldEvent | CheckpointSignerFieldEvent | CheckpointSignatureFieldEvent> {
    return streamMessage(buf, Checkpoint.codec(), opts)
  }
}

export interface Beacon {
  version: number
  docId: string
  signer: Uint8Array<ArrayBuffer>
  hlc: bigint
  vv: VersionEntry[]
  signature: Uint8Array<ArrayBuffer>
}

export namespace Beacon {
  let _codec: Codec<Beacon>

  export const codec = (): Codec<Beacon> => {
    if (_codec == null) {
      _codec = message<Beacon>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.docId != null && obj.docId !== '')) {
          w.uint32(18)
          w.string(obj.docId)
        }

        if ((obj.signer != null && obj.signer.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signer)
        }

        if ((obj.hlc != null && obj.hlc !== 0n)) {
          w.uint32(32)
          w.uint64(obj.hlc)
        }

        if (obj.vv != null && obj.vv.length > 0) {
          for (const value of obj.vv) {
            w.uint32(42)
            VersionEntry.codec().encode(value, w)
          }
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          docId: '',
          signer: uint8ArrayAlloc(0),
          hlc: 0n,
          vv: [],
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.docId = reader.string()
              break
            }
            case 3: {
              obj.signer = reader.bytes()
              break
            }
            case 4: {
              obj.hlc = reader.uint64()
              break
            }
            case 5: {
              if (opts.limits?.vv != null && obj.vv.length === opts.limits.vv) {
                throw new MaxLengthError('Decode error - repeated field "vv" had too many elements')
              }

              obj.vv.push(VersionEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.vv$
              }))
              break
            }
            case 6: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          vv: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.docId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signer`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.hlc`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              if (opts.limits?.vv != null && obj.vv === opts.limits.vv) {
                throw new MaxLengthError('Streaming decode error - repeated field "vv" had too many elements')
              }

              for (const evt of VersionEntry.codec().stream(reader, reader.uint32(), `${prefix}.vv[]`, {
                limits: opts.limits?.vv$
              })) {
                yield {
                  ...evt,
                  index: obj.vv
                }
              }

              obj.vv++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BeaconVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface BeaconDocIdFieldEvent {
    field: '$.docId'
    value: string
  }

  export interface BeaconSignerFieldEvent {
    field: '$.signer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BeaconHlcFieldEvent {
    field: '$.hlc'
    value: bigint
  }

  export interface BeaconVvAuthorFieldEvent {
    field: '$.vv[].author'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BeaconVvSeqFieldEvent {
    field: '$.vv[].seq'
    value: number
    index: number
  }

  export interface BeaconSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Beacon>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Beacon.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Beacon>): Beacon {
    return decodeMessage(buf, Beacon.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Beacon>): Generator<BeaconVersionFieldEvent | BeaconDocIdFieldEvent | BeaconSignerFieldEvent | BeaconHlcFieldEvent | BeaconVvAuthorFieldEvent | BeaconVvSeqFieldEvent | BeaconSignatureFieldEvent> {
    return streamMessage(buf, Beacon.codec(), opts)
  }
}

export interface GossipFrame {
  envelope?: Envelope
  beacon?: Beacon
  control?: Uint8Array<ArrayBuffer>
}

export namespace GossipFrame {
  let _codec: Codec<GossipFrame>

  export const codec = (): Codec<GossipFrame> => {
    if (_codec == null) {
      _codec = message<GossipFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.envelope != null) {
          w.uint32(10)
          Envelope.codec().encode(obj.envelope, w)
        }

        if (obj.beacon != null) {
          w.uint32(18)
          Beacon.codec().encode(obj.beacon, w)
        }

        if (obj.control != null) {
          w.uint32(26)
          w.bytes(obj.control)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.envelope = Envelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.envelope
              })
              break
            }
            case 2: {
              obj.beacon = Beacon.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.beacon
              })
              break
            }
            case 3: {
              obj.control = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Envelope.codec().stream(reader, reader.uint32(), `${prefix}.envelope`, {
                limits: opts.limits?.envelope
              })

              break
            }
            case 2: {
              yield * Beacon.codec().stream(reader, reader.uint32(), `${prefix}.beacon`, {
                limits: opts.limits?.beacon
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.control`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GossipFrameEnvelopeVersionFieldEvent {
    field: '$.envelope.version'
    value: number
  }

  export interface GossipFrameEnvelopeDocIdFieldEvent {
    field: '$.envelope.docId'
    value: string
  }

  export interface GossipFrameEnvelopeAuthorFieldEvent {
    field: '$.envelope.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GossipFrameEnvelopeSeqFieldEvent {
    field: '$.envelope.seq'
    value: number
  }

  export interface GossipFrameEnvelopeHlcFieldEvent {
    field: '$.envelope.hlc'
    value: bigint
  }

  export interface GossipFrameEnvelopePayloadFieldEvent {
    field: '$.envelope.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GossipFrameEnvelopeSignatureFieldEvent {
    field: '$.envelope.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GossipFrameEnvelopePayloadHashFieldEvent {
    field: '$.envelope.payloadHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GossipFrameEnvelopeEndsFieldEvent {
    field: '$.envelope.ends'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GossipFrameBeaconVersionFieldEvent {
    field: '$.beacon.version'
    value: number
  }

  export interface GossipFrameBeaconDocIdFieldEvent {
    field: '$.beacon.docId'
    value: string
  }

  export interface GossipFrameBeaconSignerFieldEvent {
    field: '$.beacon.signer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GossipFrameBeaconHlcFieldEvent {
    field: '$.beacon.hlc'
    value: bigint
  }

  export interface GossipFrameBeaconVvAuthorFieldEvent {
    field: '$.beacon.vv[].author'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface GossipFrameBeaconVvSeqFieldEvent {
    field: '$.beacon.vv[].seq'
    value: number
    index: number
  }

  export interface GossipFrameBeaconSignatureFieldEvent {
    field: '$.beacon.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GossipFrameControlFieldEvent {
    field: '$.control'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GossipFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GossipFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GossipFrame>): GossipFrame {
    return decodeMessage(buf, GossipFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GossipFrame>): Generator<GossipFrameEnvelopeVersionFieldEvent | GossipFrameEnvelopeDocIdFieldEvent | GossipFrameEnvelopeAuthorFieldEvent | GossipFrameEnvelopeSeqFieldEvent | GossipFrameEnvelopeHlcFieldEvent | GossipFrameEnvelopePayloadFieldEvent | GossipFrameEnvelopeSignatureFieldEvent | GossipFrameEnvelopePayloadHashFieldEvent | GossipFrameEnvelopeEndsFieldEvent | GossipFrameBeaconVersionFieldEvent | GossipFrameBeaconDocIdFieldEvent | GossipFrameBeaconSignerFieldEvent | GossipFrameBeaconHlcFieldEvent | GossipFrameBeaconVvAuthorFieldEvent | GossipFrameBeaconVvSeqFieldEvent | GossipFrameBeaconSignatureFieldEvent | GossipFrameControlFieldEvent> {
    return streamMessage(buf, GossipFrame.codec(), opts)
  }
}

export interface SyncRequest {
  version: number
  docId: string
  vv: VersionEntry[]
  stateVector: Uint8Array<ArrayBuffer>
  controlDigest: Uint8Array<ArrayBuffer>
  hlc: bigint
}

export namespace SyncRequest {
  let _codec: Codec<SyncRequest>

  export const codec = (): Codec<SyncRequest> => {
    if (_codec == null) {
      _codec = message<SyncRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.docId != null && obj.docId !== '')) {
          w.uint32(18)
          w.string(obj.docId)
        }

        if (obj.vv != null && obj.vv.length > 0) {
          for (const value of obj.vv) {
            w.uint32(26)
            VersionEntry.codec().encode(value, w)
          }
        }

        if ((obj.stateVector != null && obj.stateVector.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.stateVector)
        }

        if ((obj.controlDigest != null && obj.controlDigest.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.controlDigest)
        }

        if ((obj.hlc != null && obj.hlc !== 0n)) {
          w.uint32(48)
          w.uint64(obj.hlc)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          docId: '',
          vv: [],
          stateVector: uint8ArrayAlloc(0),
          controlDigest: uint8ArrayAlloc(0),
          hlc: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.docId = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.vv != null && obj.vv.length === opts.limits.vv) {
                throw new MaxLengthError('Decode error - repeated field "vv" had too many elements')
              }

              obj.vv.push(VersionEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.vv$
              }))
              break
            }
            case 4: {
              obj.stateVector = reader.bytes()
              break
            }
            case 5: {
              obj.controlDigest = reader.bytes()
              break
            }
            case 6: {
              obj.hlc = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          vv: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.docId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.vv != null && obj.vv === opts.limits.vv) {
                throw new MaxLengthError('Streaming decode error - repeated field "vv" had too many elements')
              }

              for (const evt of VersionEntry.codec().stream(reader, reader.uint32(), `${prefix}.vv[]`, {
                limits: opts.limits?.vv$
              })) {
                yield {
                  ...evt,
                  index: obj.vv
                }
              }

              obj.vv++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.stateVector`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.controlDigest`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.hlc`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SyncRequestDocIdFieldEvent {
    field: '$.docId'
    value: string
  }

  export interface SyncRequestVvAuthorFieldEvent {
    field: '$.vv[].author'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncRequestVvSeqFieldEvent {
    field: '$.vv[].seq'
    value: number
    index: number
  }

  export interface SyncRequestStateVectorFieldEvent {
    field: '$.stateVector'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRequestControlDigestFieldEvent {
    field: '$.controlDigest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRequestHlcFieldEvent {
    field: '$.hlc'
    value: bigint
  }

  export function encode (obj: Partial<SyncRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): SyncRequest {
    return decodeMessage(buf, SyncRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): Generator<SyncRequestVersionFieldEvent | SyncRequestDocIdFieldEvent | SyncRequestVvAuthorFieldEvent | SyncRequestVvSeqFieldEvent | SyncRequestStateVectorFieldEvent | SyncRequestControlDigestFieldEvent | SyncRequestHlcFieldEvent> {
    return streamMessage(buf, SyncRequest.codec(), opts)
  }
}

export interface SyncResponse {
  version: number
  docId: string
  envelopes: Uint8Array<ArrayBuffer>[]
  checkpoint?: Checkpoint
  vv: VersionEntry[]
  error: string
  heads: Uint8Array<ArrayBuffer>[]
  control: Uint8Array<ArrayBuffer>[]
  hlc: bigint
}

export namespace SyncResponse {
  let _codec: Codec<SyncResponse>

  export const codec = (): Codec<SyncResponse> => {
    if (_codec == null) {
      _codec = message<SyncResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.docId != null && obj.docId !== '')) {
          w.uint32(18)
          w.string(obj.docId)
        }

        if (obj.envelopes != null && obj.envelopes.length > 0) {
          for (const value of obj.envelopes) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (obj.checkpoint != null) {
          w.uint32(34)
          Checkpoint.codec().encode(obj.checkpoint, w)
        }

        if (obj.vv != null && obj.vv.length > 0) {
          for (const value of obj.vv) {
            w.uint32(42)
            VersionEntry.codec().encode(value, w)
          }
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(50)
          w.string(obj.error)
        }

        if (obj.heads != null && obj.heads.length > 0) {
          for (const value of obj.heads) {
            w.uint32(58)
            w.bytes(value)
          }
        }

        if (obj.control != null && obj.control.length > 0) {
          for (const value of obj.control) {
            w.uint32(66)
            w.bytes(value)
          }
        }

        if ((obj.hlc != null && obj.hlc !== 0n)) {
          w.uint32(72)
          w.uint64(obj.hlc)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          docId: '',
          envelopes: [],
          vv: [],
          error: '',
          heads: [],
          control: [],
          hlc: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.docId = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.envelopes != null && obj.envelopes.length === opts.limits.envelopes) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              obj.envelopes.push(reader.bytes())
              break
            }
            case 4: {
              obj.checkpoint = Checkpoint.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.checkpoint
              })
              break
            }
            case 5: {
              if (opts.limits?.vv != null && obj.vv.length === opts.limits.vv) {
                throw new MaxLengthError('Decode error - repeated field "vv" had too many elements')
              }

              obj.vv.push(VersionEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.vv$
              }))
              break
            }
            case 6: {
              obj.error = reader.string()
              break
            }
            case 7: {
              if (opts.limits?.heads != null && obj.heads.length === opts.limits.heads) {
                throw new MaxLengthError('Decode error - repeated field "heads" had too many elements')
              }

              obj.heads.push(reader.bytes())
              break
            }
            case 8: {
              if (opts.limits?.control != null && obj.control.length === opts.limits.control) {
                throw new MaxLengthError('Decode error - repeated field "control" had too many elements')
              }

              obj.control.push(reader.bytes())
              break
            }
            case 9: {
              obj.hlc = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          envelopes: 0,
          vv: 0,
          heads: 0,
          control: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.docId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.envelopes != null && obj.envelopes === opts.limits.envelopes) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              yield {
                field: `${prefix}.envelopes[]`,
                index: obj.envelopes,
                value: reader.bytes()
              }

              obj.envelopes++

              break
            }
            case 4: {
              yield * Checkpoint.codec().stream(reader, reader.uint32(), `${prefix}.checkpoint`, {
                limits: opts.limits?.checkpoint
              })

              break
            }
            case 5: {
              if (opts.limits?.vv != null && obj.vv === opts.limits.vv) {
                throw new MaxLengthError('Streaming decode error - repeated field "vv" had too many elements')
              }

              for (const evt of VersionEntry.codec().stream(reader, reader.uint32(), `${prefix}.vv[]`, {
                limits: opts.limits?.vv$
              })) {
                yield {
                  ...evt,
                  index: obj.vv
                }
              }

              obj.vv++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 7: {
              if (opts.limits?.heads != null && obj.heads === opts.limits.heads) {
                throw new MaxLengthError('Streaming decode error - repeated field "heads" had too many elements')
              }

              yield {
                field: `${prefix}.heads[]`,
                index: obj.heads,
                value: reader.bytes()
              }

              obj.heads++

              break
            }
            case 8: {
              if (opts.limits?.control != null && obj.control === opts.limits.control) {
                throw new MaxLengthError('Streaming decode error - repeated field "control" had too many elements')
              }

              yield {
                field: `${prefix}.control[]`,
                index: obj.control,
                value: reader.bytes()
              }

              obj.control++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.hlc`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface SyncResponseDocIdFieldEvent {
    field: '$.docId'
    value: string
  }

  export interface SyncResponseEnvelopesFieldEvent {
    field: '$.envelopes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseCheckpointVersionFieldEvent {
    field: '$.checkpoint.version'
    value: number
  }

  export interface SyncResponseCheckpointDocIdFieldEvent {
    field: '$.checkpoint.docId'
    value: string
  }

  export interface SyncResponseCheckpointVvAuthorFieldEvent {
    field: '$.checkpoint.vv[].author'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncResponseCheckpointVvSeqFieldEvent {
    field: '$.checkpoint.vv[].seq'
    value: number
    index: number
  }

  export interface SyncResponseCheckpointHlcFieldEvent {
    field: '$.checkpoint.hlc'
    value: bigint
  }

  export interface SyncResponseCheckpointUpdateFieldEvent {
    field: '$.checkpoint.update'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseCheckpointSignerFieldEvent {
    field: '$.checkpoint.signer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseCheckpointSignatureFieldEvent {
    field: '$.checkpoint.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseVvAuthorFieldEvent {
    field: '$.vv[].author'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncResponseVvSeqFieldEvent {
    field: '$.vv[].seq'
    value: number
    index: number
  }

  export interface SyncResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface SyncResponseHeadsFieldEvent {
    field: '$.heads[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseControlFieldEvent {
    field: '$.control[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseHlcFieldEvent {
    field: '$.hlc'
    value: bigint
  }

  export function encode (obj: Partial<SyncResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncResponse>): SyncResponse {
    return decodeMessage(buf, SyncResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncResponse>): Generator<SyncResponseVersionFieldEvent | SyncResponseDocIdFieldEvent | SyncResponseEnvelopesFieldEvent | SyncResponseCheckpointVersionFieldEvent | SyncResponseCheckpointDocIdFieldEvent | SyncResponseCheckpointVvAuthorFieldEvent | SyncResponseCheckpointVvSeqFieldEvent | SyncResponseCheckpointHlcFieldEvent | SyncResponseCheckpointUpdateFieldEvent | SyncResponseCheckpointSignerFieldEvent | SyncResponseCheckpointSignatureFieldEvent | SyncResponseVvAuthorFieldEvent | SyncResponseVvSeqFieldEvent | SyncResponseErrorFieldEvent | SyncResponseHeadsFieldEvent | SyncResponseControlFieldEvent | SyncResponseHlcFieldEvent> {
    return streamMessage(buf, SyncResponse.codec(), opts)
  }
}

export interface HeadsDigest {
  version: number
  count: number
  digest: Uint8Array<ArrayBuffer>
}

export namespace HeadsDigest {
  let _codec: Codec<HeadsDigest>

  export const codec = (): Codec<HeadsDigest> => {
    if (_codec == null) {
      _codec = message<HeadsDigest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(16)
          w.uint32(obj.count)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.digest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          count: 0,
          digest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.count = reader.uint32()
              break
            }
            case 3: {
              obj.digest = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HeadsDigestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface HeadsDigestCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface HeadsDigestDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HeadsDigest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HeadsDigest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadsDigest>): HeadsDigest {
    return decodeMessage(buf, HeadsDigest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadsDigest>): Generator<HeadsDigestVersionFieldEvent | HeadsDigestCountFieldEvent | HeadsDigestDigestFieldEvent> {
    return streamMessage(buf, HeadsDigest.codec(), opts)
  }
}

export interface HeadsEntry {
  docId: string
  vectorHash: Uint8Array<ArrayBuffer>
}

export namespace HeadsEntry {
  let _codec: Codec<HeadsEntry>

  export const codec = (): Codec<HeadsEntry> => {
    if (_codec == null) {
      _codec = message<HeadsEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.docId != null && obj.docId !== '')) {
          w.uint32(10)
          w.string(obj.docId)
        }

        if ((obj.vectorHash != null && obj.vectorHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.vectorHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          docId: '',
          vectorHash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.docId = reader.string()
              break
            }
            case 2: {
              obj.vectorHash = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.docId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.vectorHash`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HeadsEntryDocIdFieldEvent {
    field: '$.docId'
    value: string
  }

  export interface HeadsEntryVectorHashFieldEvent {
    field: '$.vectorHash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<HeadsEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HeadsEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadsEntry>): HeadsEntry {
    return decodeMessage(buf, HeadsEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadsEntry>): Generator<HeadsEntryDocIdFieldEvent | HeadsEntryVectorHashFieldEvent> {
    return streamMessage(buf, HeadsEntry.codec(), opts)
  }
}

export interface HeadsReply {
  version: number
  same: boolean
  entries: HeadsEntry[]
}

export namespace HeadsReply {
  let _codec: Codec<HeadsReply>

  export const codec = (): Codec<HeadsReply> => {
    if (_codec == null) {
      _codec = message<HeadsReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.same != null && obj.same !== false)) {
          w.uint32(16)
          w.bool(obj.same)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(26)
            HeadsEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          same: false,
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.same = reader.bool()
              break
            }
            case 3: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(HeadsEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.same`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of HeadsEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HeadsReplyVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface HeadsReplySameFieldEvent {
    field: '$.same'
    value: boolean
  }

  export interface HeadsReplyEntriesDocIdFieldEvent {
    field: '$.entries[].docId'
    value: string
    index: number
  }

  export interface HeadsReplyEntriesVectorHashFieldEvent {
    field: '$.entries[].vectorHash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<HeadsReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HeadsReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadsReply>): HeadsReply {
    return decodeMessage(buf, HeadsReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadsReply>): Generator<HeadsReplyVersionFieldEvent | HeadsReplySameFieldEvent | HeadsReplyEntriesDocIdFieldEvent | HeadsReplyEntriesVectorHashFieldEvent> {
    return streamMessage(buf, HeadsReply.codec(), opts)
  }
}

export interface DeliveryAck {
  version: number
  entries: AckEntry[]
  hlc: bigint
}

export namespace DeliveryAck {
  let _codec: Codec<DeliveryAck>

  export const codec = (): Codec<DeliveryAck> => {
    if (_codec == null) {
      _codec = message<DeliveryAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(18)
            AckEntry.codec().encode(value, w)
          }
        }

        if ((obj.hlc != null && obj.hlc !== 0n)) {
          w.uint32(24)
          w.uint64(obj.hlc)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          entries: [],
          hlc: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(AckEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 3: {
              obj.hlc = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of AckEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.hlc`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DeliveryAckVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DeliveryAckEntriesDocIdFieldEvent {
    field: '$.entries[].docId'
    value: string
    index: number
  }

  export interface DeliveryAckEntriesSeqFieldEvent {
    field: '$.entries[].seq'
    value: number
    index: number
  }

  export interface DeliveryAckHlcFieldEvent {
    field: '$.hlc'
    value: bigint
  }

  export function encode (obj: Partial<DeliveryAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DeliveryAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeliveryAck>): DeliveryAck {
    return decodeMessage(buf, DeliveryAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DeliveryAck>): Generator<DeliveryAckVersionFieldEvent | DeliveryAckEntriesDocIdFieldEvent | DeliveryAckEntriesSeqFieldEvent | DeliveryAckHlcFieldEvent> {
    return streamMessage(buf, DeliveryAck.codec(), opts)
  }
}

export interface AckEntry {
  docId: string
  seq: number
}

export namespace AckEntry {
  let _codec: Codec<AckEntry>

  export const codec = (): Codec<AckEntry> => {
    if (_codec == null) {
      _codec = message<AckEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.docId != null && obj.docId !== '')) {
          w.uint32(10)
          w.string(obj.docId)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          docId: '',
          seq: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.docId = reader.string()
              break
            }
            case 2: {
              obj.seq = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.docId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AckEntryDocIdFieldEvent {
    field: '$.docId'
    value: string
  }

  export interface AckEntrySeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export function encode (obj: Partial<AckEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AckEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AckEntry>): AckEntry {
    return decodeMessage(buf, AckEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AckEntry>): Generator<AckEntryDocIdFieldEvent | AckEntrySeqFieldEvent> {
    return streamMessage(buf, AckEntry.codec(), opts)
  }
}
