import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum Role {
  NONE = 'NONE',
  PINNER = 'PINNER',
  READER = 'READER',
  WRITER = 'WRITER',
  ADMIN = 'ADMIN'
}

enum __RoleValues {
  NONE = 0,
  PINNER = 1,
  READER = 2,
  WRITER = 3,
  ADMIN = 4
}

export namespace Role {
  export const codec = (): Codec<Role> => {
    return enumeration<Role>(__RoleValues)
  }
}

export interface Grant {
  subject: Uint8Array<ArrayBuffer>
  role: Role
  anchor: number
  supersedes: Uint8Array<ArrayBuffer>[]
}

export namespace Grant {
  let _codec: Codec<Grant>

  export const codec = (): Codec<Grant> => {
    if (_codec == null) {
      _codec = message<Grant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.subject != null && obj.subject.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.subject)
        }

        if (obj.role != null && __RoleValues[obj.role] !== 0) {
          w.uint32(16)
          Role.codec().encode(obj.role, w)
        }

        if ((obj.anchor != null && obj.anchor !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.anchor)
        }

        if (obj.supersedes != null && obj.supersedes.length > 0) {
          for (const value of obj.supersedes) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          subject: uint8ArrayAlloc(0),
          role: Role.NONE,
          anchor: 0,
          supersedes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.subject = reader.bytes()
              break
            }
            case 2: {
              obj.role = Role.codec().decode(reader)
              break
            }
            case 3: {
              obj.anchor = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.supersedes != null && obj.supersedes.length === opts.limits.supersedes) {
                throw new MaxLengthError('Decode error - repeated field "supersedes" had too many elements')
              }

              obj.supersedes.push(reader.bytes())
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
          supersedes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.subject`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.role`,
                value: Role.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.anchor`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              if (opts.limits?.supersedes != null && obj.supersedes === opts.limits.supersedes) {
                throw new MaxLengthError('Streaming decode error - repeated field "supersedes" had too many elements')
              }

              yield {
                field: `${prefix}.supersedes[]`,
                index: obj.supersedes,
                value: reader.bytes()
              }

              obj.supersedes++

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

  export interface GrantSubjectFieldEvent {
    field: '$.subject'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GrantRoleFieldEvent {
    field: '$.role'
    value: Role
  }

  export interface GrantAnchorFieldEvent {
    field: '$.anchor'
    value: number
  }

  export interface GrantSupersedesFieldEvent {
    field: '$.supersedes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Grant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Grant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Grant>): Grant {
    return decodeMessage(buf, Grant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Grant>): Generator<GrantSubjectFieldEvent | GrantRoleFieldEvent | GrantAnchorFieldEvent | GrantSupersedesFieldEvent> {
    return streamMessage(buf, Grant.codec(), opts)
  }
}

export interface Revoke {
  subject: Uint8Array<ArrayBuffer>
  contentCutoff: number
  controlCutoff: number
  redemptions: Uint8Array<ArrayBuffer>[]
}

export namespace Revoke {
  let _codec: Codec<Revoke>

  export const codec = (): Codec<Revoke> => {
    if (_codec == null) {
      _codec = message<Revoke>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.subject != null && obj.subject.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.subject)
        }

        if ((obj.contentCutoff != null && obj.contentCutoff !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.contentCutoff)
        }

        if ((obj.controlCutoff != null && obj.controlCutoff !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.controlCutoff)
        }

        if (obj.redemptions != null && obj.redemptions.length > 0) {
          for (const value of obj.redemptions) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          subject: uint8ArrayAlloc(0),
          contentCutoff: 0,
          controlCutoff: 0,
          redemptions: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.subject = reader.bytes()
              break
            }
            case 2: {
              obj.contentCutoff = reader.uint64Number()
              break
            }
            case 3: {
              obj.controlCutoff = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.redemptions != null && obj.redemptions.length === opts.limits.redemptions) {
                throw new MaxLengthError('Decode error - repeated field "redemptions" had too many elements')
              }

              obj.redemptions.push(reader.bytes())
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
          redemptions: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.subject`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.contentCutoff`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.controlCutoff`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              if (opts.limits?.redemptions != null && obj.redemptions === opts.limits.redemptions) {
                throw new MaxLengthError('Streaming decode error - repeated field "redemptions" had too many elements')
              }

              yield {
                field: `${prefix}.redemptions[]`,
                index: obj.redemptions,
                value: reader.bytes()
              }

              obj.redemptions++

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

  export interface RevokeSubjectFieldEvent {
    field: '$.subject'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RevokeContentCutoffFieldEvent {
    field: '$.contentCutoff'
    value: number
  }

  export interface RevokeControlCutoffFieldEvent {
    field: '$.controlCutoff'
    value: number
  }

  export interface RevokeRedemptionsFieldEvent {
    field: '$.redemptions[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Revoke>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Revoke.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Revoke>): Revoke {
    return decodeMessage(buf, Revoke.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Revoke>): Generator<RevokeSubjectFieldEvent | RevokeContentCutoffFieldEvent | RevokeControlCutoffFieldEvent | RevokeRedemptionsFieldEvent> {
    return streamMessage(buf, Revoke.codec(), opts)
  }
}

export interface Invite {
  invitePub: Uint8Array<ArrayBuffer>
  role: Role
  boxes: KeyBox[]
  epoch: Uint8Array<ArrayBuffer>
}

export namespace Invite {
  let _codec: Codec<Invite>

  export const codec = (): Codec<Invite> => {
    if (_codec == null) {
      _codec = message<Invite>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.invitePub != null && obj.invitePub.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.invitePub)
        }

        if (obj.role != null && __RoleValues[obj.role] !== 0) {
          w.uint32(16)
          Role.codec().encode(obj.role, w)
        }

        if (obj.boxes != null && obj.boxes.length > 0) {
          for (const value of obj.boxes) {
            w.uint32(26)
            KeyBox.codec().encode(value, w)
          }
        }

        if ((obj.epoch != null && obj.epoch.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.epoch)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          invitePub: uint8ArrayAlloc(0),
          role: Role.NONE,
          boxes: [],
          epoch: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.invitePub = reader.bytes()
              break
            }
            case 2: {
              obj.role = Role.codec().decode(reader)
              break
            }
            case 3: {
              if (opts.limits?.boxes != null && obj.boxes.length === opts.limits.boxes) {
                throw new MaxLengthError('Decode error - repeated field "boxes" had too many elements')
              }

              obj.boxes.push(KeyBox.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.boxes$
              }))
              break
            }
            case 4: {
              obj.epoch = reader.bytes()
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
          boxes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.invitePub`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.role`,
                value: Role.codec().decode(reader)
              }
              break
            }
            case 3: {
              if (opts.limits?.boxes != null && obj.boxes === opts.limits.boxes) {
                throw new MaxLengthError('Streaming decode error - repeated field "boxes" had too many elements')
              }

              for (const evt of KeyBox.codec().stream(reader, reader.uint32(), `${prefix}.boxes[]`, {
                limits: opts.limits?.boxes$
              })) {
                yield {
                  ...evt,
                  index: obj.boxes
                }
              }

              obj.boxes++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.epoch`,
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

  export interface InviteInvitePubFieldEvent {
    field: '$.invitePub'
    value: Uint8Array<ArrayBuffer>
  }

  export interface InviteRoleFieldEvent {
    field: '$.role'
    value: Role
  }

  export interface InviteBoxesRecipientFieldEvent {
    field: '$.boxes[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface InviteBoxesEphemeralFieldEvent {
    field: '$.boxes[].ephemeral'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface InviteBoxesNonceFieldEvent {
    field: '$.boxes[].nonce'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface InviteBoxesCommitFieldEvent {
    field: '$.boxes[].commit'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface InviteBoxesSealedFieldEvent {
    field: '$.boxes[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface InviteEpochFieldEvent {
    field: '$.epoch'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Invite>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Invite.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Invite>): Invite {
    return decodeMessage(buf, Invite.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Invite>): Generator<InviteInvitePubFieldEvent | InviteRoleFieldEvent | InviteBoxesRecipientFieldEvent | InviteBoxesEphemeralFieldEvent | InviteBoxesNonceFieldEvent | InviteBoxesCommitFieldEvent | InviteBoxesSealedFieldEvent | InviteEpochFieldEvent> {
    return streamMessage(buf, Invite.codec(), opts)
  }
}

export interface KeyBox {
  recipient: Uint8Array<ArrayBuffer>
  ephemeral: Uint8Array<ArrayBuffer>
  nonce: Uint8Array<ArrayBuffer>
  commit: Uint8Array<ArrayBuffer>
  sealed: Uint8Array<ArrayBuffer>
}

export namespace KeyBox {
  let _codec: Codec<KeyBox>

  export const codec = (): Codec<KeyBox> => {
    if (_codec == null) {
      _codec = message<KeyBox>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if ((obj.ephemeral != null && obj.ephemeral.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ephemeral)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.nonce)
        }

        if ((obj.commit != null && obj.commit.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.commit)
        }

        if ((obj.sealed != null && obj.sealed.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.sealed)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0),
          ephemeral: uint8ArrayAlloc(0),
          nonce: uint8ArrayAlloc(0),
          commit: uint8ArrayAlloc(0),
          sealed: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            case 2: {
              obj.ephemeral = reader.bytes()
              break
            }
            case 3: {
              obj.nonce = reader.bytes()
              break
            }
            case 4: {
              obj.commit = reader.bytes()
              break
            }
            case 5: {
              obj.sealed = reader.bytes()
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
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ephemeral`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.commit`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.sealed`,
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

  export interface KeyBoxRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KeyBoxEphemeralFieldEvent {
    field: '$.ephemeral'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KeyBoxNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KeyBoxCommitFieldEvent {
    field: '$.commit'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KeyBoxSealedFieldEvent {
    field: '$.sealed'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<KeyBox>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KeyBox.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyBox>): KeyBox {
    return decodeMessage(buf, KeyBox.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KeyBox>): Generator<KeyBoxRecipientFieldEvent | KeyBoxEphemeralFieldEvent | KeyBoxNonceFieldEvent | KeyBoxCommitFieldEvent | KeyBoxSealedFieldEvent> {
    return streamMessage(buf, KeyBox.codec(), opts)
  }
}

export interface WrappedKey {
  epoch: Uint8Array<ArrayBuffer>
  nonce: Uint8Array<ArrayBuffer>
  commit: Uint8Array<ArrayBuffer>
  sealed: Uint8Array<ArrayBuffer>
}

export namespace WrappedKey {
  let _codec: Codec<WrappedKey>

  export const codec = (): Codec<WrappedKey> => {
    if (_codec == null) {
      _codec = message<WrappedKey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.epoch != null && obj.epoch.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.epoch)
        }

        if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.nonce)
        }

        if ((obj.commit != null && obj.commit.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.commit)
        }

        if ((obj.sealed != null && obj.sealed.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.sealed)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          epoch: uint8ArrayAlloc(0),
          nonce: uint8ArrayAlloc(0),
          commit: uint8ArrayAlloc(0),
          sealed: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.epoch = reader.bytes()
              break
            }
            case 2: {
              obj.nonce = reader.bytes()
              break
            }
            case 3: {
              obj.commit = reader.bytes()
              break
            }
            case 4: {
              obj.sealed = reader.bytes()
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
                field: `${prefix}.epoch`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.nonce`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.commit`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sealed`,
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

  export interface WrappedKeyEpochFieldEvent {
    field: '$.epoch'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WrappedKeyNonceFieldEvent {
    field: '$.nonce'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WrappedKeyCommitFieldEvent {
    field: '$.commit'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WrappedKeySealedFieldEvent {
    field: '$.sealed'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<WrappedKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WrappedKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WrappedKey>): WrappedKey {
    return decodeMessage(buf, WrappedKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WrappedKey>): Generator<WrappedKeyEpochFieldEvent | WrappedKeyNonceFieldEvent | WrappedKeyCommitFieldEvent | WrappedKeySealedFieldEvent> {
    return streamMessage(buf, WrappedKey.codec(), opts)
  }
}

export interface Rotate {
  number: number
  boxes: KeyBox[]
  previous: WrappedKey[]
  commit: Uint8Array<ArrayBuffer>
}

export namespace Rotate {
  let _codec: Codec<Rotate>

  export const codec = (): Codec<Rotate> => {
    if (_codec == null) {
      _codec = message<Rotate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.number != null && obj.number !== 0)) {
          w.uint32(8)
          w.uint32(obj.number)
        }

        if (obj.boxes != null && obj.boxes.length > 0) {
          for (const value of obj.boxes) {
            w.uint32(18)
            KeyBox.codec().encode(value, w)
          }
        }

        if (obj.previous != null && obj.previous.length > 0) {
          for (const value of obj.previous) {
            w.uint32(26)
            WrappedKey.codec().encode(value, w)
          }
        }

        if ((obj.commit != null && obj.commit.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.commit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          number: 0,
          boxes: [],
          previous: [],
          commit: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.number = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.boxes != null && obj.boxes.length === opts.limits.boxes) {
                throw new MaxLengthError('Decode error - repeated field "boxes" had too many elements')
              }

              obj.boxes.push(KeyBox.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.boxes$
              }))
              break
            }
            case 3: {
              if (opts.limits?.previous != null && obj.previous.length === opts.limits.previous) {
                throw new MaxLengthError('Decode error - repeated field "previous" had too many elements')
              }

              obj.previous.push(WrappedKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.previous$
              }))
              break
            }
            case 4: {
              obj.commit = reader.bytes()
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
          boxes: 0,
          previous: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.number`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.boxes != null && obj.boxes === opts.limits.boxes) {
                throw new MaxLengthError('Streaming decode error - repeated field "boxes" had too many elements')
              }

              for (const evt of KeyBox.codec().stream(reader, reader.uint32(), `${prefix}.boxes[]`, {
                limits: opts.limits?.boxes$
              })) {
                yield {
                  ...evt,
                  index: obj.boxes
                }
              }

              obj.boxes++

              break
            }
            case 3: {
              if (opts.limits?.previous != null && obj.previous === opts.limits.previous) {
                throw new MaxLengthError('Streaming decode error - repeated field "previous" had too many elements')
              }

              for (const evt of WrappedKey.codec().stream(reader, reader.uint32(), `${prefix}.previous[]`, {
                limits: opts.limits?.previous$
              })) {
                yield {
                  ...evt,
                  index: obj.previous
                }
              }

              obj.previous++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.commit`,
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

  export interface RotateNumberFieldEvent {
    field: '$.number'
    value: number
  }

  export interface RotateBoxesRecipientFieldEvent {
    field: '$.boxes[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RotateBoxesEphemeralFieldEvent {
    field: '$.boxes[].ephemeral'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RotateBoxesNonceFieldEvent {
    field: '$.boxes[].nonce'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RotateBoxesCommitFieldEvent {
    field: '$.boxes[].commit'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RotateBoxesSealedFieldEvent {
    field: '$.boxes[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RotatePreviousEpochFieldEvent {
    field: '$.previous[].epoch'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RotatePreviousNonceFieldEvent {
    field: '$.previous[].nonce'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RotatePreviousCommitFieldEvent {
    field: '$.previous[].commit'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RotatePreviousSealedFieldEvent {
    field: '$.previous[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RotateCommitFieldEvent {
    field: '$.commit'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Rotate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Rotate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Rotate>): Rotate {
    return decodeMessage(buf, Rotate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Rotate>): Generator<RotateNumberFieldEvent | RotateBoxesRecipientFieldEvent | RotateBoxesEphemeralFieldEvent | RotateBoxesNonceFieldEvent | RotateBoxesCommitFieldEvent | RotateBoxesSealedFieldEvent | RotatePreviousEpochFieldEvent | RotatePreviousNonceFieldEvent | RotatePreviousCommitFieldEvent | RotatePreviousSealedFieldEvent | RotateCommitFieldEvent> {
    return streamMessage(buf, Rotate.codec(), opts)
  }
}

export interface Redeem {
  invite: Uint8Array<ArrayBuffer>
  inviteSignature: Uint8Array<ArrayBuffer>
  anchor: number
}

export namespace Redeem {
  let _codec: Codec<Redeem>

  export const codec = (): Codec<Redeem> => {
    if (_codec == null) {
      _codec = message<Redeem>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.invite != null && obj.invite.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.invite)
        }

        if ((obj.inviteSignature != null && obj.inviteSignature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.inviteSignature)
        }

        if ((obj.anchor != null && obj.anchor !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.anchor)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          invite: uint8ArrayAlloc(0),
          inviteSignature: uint8ArrayAlloc(0),
          anchor: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.invite = reader.bytes()
              break
            }
            case 2: {
              obj.inviteSignature = reader.bytes()
              break
            }
            case 3: {
              obj.anchor = reader.uint64Number()
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
                field: `${prefix}.invite`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.inviteSignature`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.anchor`,
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

  export interface RedeemInviteFieldEvent {
    field: '$.invite'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RedeemInviteSignatureFieldEvent {
    field: '$.inviteSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RedeemAnchorFieldEvent {
    field: '$.anchor'
    value: number
  }

  export function encode (obj: Partial<Redeem>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Redeem.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Redeem>): Redeem {
    return decodeMessage(buf, Redeem.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Redeem>): Generator<RedeemInviteFieldEvent | RedeemInviteSignatureFieldEvent | RedeemAnchorFieldEvent> {
    return streamMessage(buf, Redeem.codec(), opts)
  }
}

export interface Witness {
  subject: Uint8Array<ArrayBuffer>
  seq: number
}

export namespace Witness {
  let _codec: Codec<Witness>

  export const codec = (): Codec<Witness> => {
    if (_codec == null) {
      _codec = message<Witness>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.subject != null && obj.subject.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.subject)
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
          subject: uint8ArrayAlloc(0),
          seq: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.subject = reader.bytes()
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
                field: `${prefix}.subject`,
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

  export interface WitnessSubjectFieldEvent {
    field: '$.subject'
    value: Uint8Array<ArrayBuffer>
  }

  export interface WitnessSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export function encode (obj: Partial<Witness>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Witness.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Witness>): Witness {
    return decodeMessage(buf, Witness.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Witness>): Generator<WitnessSubjectFieldEvent | WitnessSeqFieldEvent> {
    return streamMessage(buf, Witness.codec(), opts)
  }
}

export interface ControlOp {
  version: number
  doc: Uint8Array<ArrayBuffer>
  author: Uint8Array<ArrayBuffer>
  cseq: number
  hlc: bigint
  grant?: Grant
  revoke?: Revoke
  invite?: Invite
  redeem?: Redeem
  witness?: Witness
  rotate?: Rotate
  signature: Uint8Array<ArrayBuffer>
}

export namespace ControlOp {
  let _codec: Codec<ControlOp>

  export const codec = (): Codec<ControlOp> => {
    if (_codec == null) {
      _codec = message<ControlOp>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.doc != null && obj.doc.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.doc)
        }

        if ((obj.author != null && obj.author.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.author)
        }

        if ((obj.cseq != null && obj.cseq !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.cseq)
        }

        if ((obj.hlc != null && obj.hlc !== 0n)) {
          w.uint32(40)
          w.uint64(obj.hlc)
        }

        if (obj.grant != null) {
          w.uint32(82)
          Grant.codec().encode(obj.grant, w)
        }

        if (obj.revoke != null) {
          w.uint32(90)
          Revoke.codec().encode(obj.revoke, w)
        }

        if (obj.invite != null) {
          w.uint32(98)
          Invite.codec().encode(obj.invite, w)
        }

        if (obj.redeem != null) {
          w.uint32(106)
          Redeem.codec().encode(obj.redeem, w)
        }

        if (obj.witness != null) {
          w.uint32(114)
          Witness.codec().encode(obj.witness, w)
        }

        if (obj.rotate != null) {
          w.uint32(122)
          Rotate.codec().encode(obj.rotate, w)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(250)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          doc: uint8ArrayAlloc(0),
          author: uint8ArrayAlloc(0),
          cseq: 0,
          hlc: 0n,
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
              obj.doc = reader.bytes()
              break
            }
            case 3: {
              obj.author = reader.bytes()
              break
            }
            case 4: {
              obj.cseq = reader.uint64Number()
              break
            }
            case 5: {
              obj.hlc = reader.uint64()
              break
            }
            case 10: {
              obj.grant = Grant.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.grant
              })
              break
            }
            case 11: {
              obj.revoke = Revoke.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.revoke
              })
              break
            }
            case 12: {
              obj.invite = Invite.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.invite
              })
              break
            }
            case 13: {
              obj.redeem = Redeem.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.redeem
              })
              break
            }
            case 14: {
              obj.witness = Witness.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.witness
              })
              break
            }
            case 15: {
              obj.rotate = Rotate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.rotate
              })
              break
            }
            case 31: {
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
                field: `${prefix}.doc`,
                value: reader.bytes()
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
                field: `${prefix}.cseq`,
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
            case 10: {
              yield * Grant.codec().stream(reader, reader.uint32(), `${prefix}.grant`, {
                limits: opts.limits?.grant
              })

              break
            }
            case 11: {
              yield * Revoke.codec().stream(reader, reader.uint32(), `${prefix}.revoke`, {
                limits: opts.limits?.revoke
              })

              break
            }
            case 12: {
              yield * Invite.codec().stream(reader, reader.uint32(), `${prefix}.invite`, {
                limits: opts.limits?.invite
              })

              break
            }
            case 13: {
              yield * Redeem.codec().stream(reader, reader.uint32(), `${prefix}.redeem`, {
                limits: opts.limits?.redeem
              })

              break
            }
            case 14: {
              yield * Witness.codec().stream(reader, reader.uint32(), `${prefix}.witness`, {
                limits: opts.limits?.witness
              })

              break
            }
            case 15: {
              yield * Rotate.codec().stream(reader, reader.uint32(), `${prefix}.rotate`, {
                limits: opts.limits?.rotate
              })

              break
            }
            case 31: {
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

  export interface ControlOpVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ControlOpDocFieldEvent {
    field: '$.doc'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpAuthorFieldEvent {
    field: '$.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpCseqFieldEvent {
    field: '$.cseq'
    value: number
  }

  export interface ControlOpHlcFieldEvent {
    field: '$.hlc'
    value: bigint
  }

  export interface ControlOpGrantSubjectFieldEvent {
    field: '$.grant.subject'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpGrantRoleFieldEvent {
    field: '$.grant.role'
    value: Role
  }

  export interface ControlOpGrantAnchorFieldEvent {
    field: '$.grant.anchor'
    value: number
  }

  export interface ControlOpGrantSupersedesFieldEvent {
    field: '$.grant.supersedes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpRevokeSubjectFieldEvent {
    field: '$.revoke.subject'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpRevokeContentCutoffFieldEvent {
    field: '$.revoke.contentCutoff'
    value: number
  }

  export interface ControlOpRevokeControlCutoffFieldEvent {
    field: '$.revoke.controlCutoff'
    value: number
  }

  export interface ControlOpRevokeRedemptionsFieldEvent {
    field: '$.revoke.redemptions[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpInviteInvitePubFieldEvent {
    field: '$.invite.invitePub'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpInviteRoleFieldEvent {
    field: '$.invite.role'
    value: Role
  }

  export interface ControlOpInviteBoxesRecipientFieldEvent {
    field: '$.invite.boxes[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpInviteBoxesEphemeralFieldEvent {
    field: '$.invite.boxes[].ephemeral'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpInviteBoxesNonceFieldEvent {
    field: '$.invite.boxes[].nonce'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpInviteBoxesCommitFieldEvent {
    field: '$.invite.boxes[].commit'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpInviteBoxesSealedFieldEvent {
    field: '$.invite.boxes[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpInviteEpochFieldEvent {
    field: '$.invite.epoch'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpRedeemInviteFieldEvent {
    field: '$.redeem.invite'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpRedeemInviteSignatureFieldEvent {
    field: '$.redeem.inviteSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpRedeemAnchorFieldEvent {
    field: '$.redeem.anchor'
    value: number
  }

  export interface ControlOpWitnessSubjectFieldEvent {
    field: '$.witness.subject'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpWitnessSeqFieldEvent {
    field: '$.witness.seq'
    value: number
  }

  export interface ControlOpRotateNumberFieldEvent {
    field: '$.rotate.number'
    value: number
  }

  export interface ControlOpRotateBoxesRecipientFieldEvent {
    field: '$.rotate.boxes[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpRotateBoxesEphemeralFieldEvent {
    field: '$.rotate.boxes[].ephemeral'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpRotateBoxesNonceFieldEvent {
    field: '$.rotate.boxes[].nonce'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpRotateBoxesCommitFieldEvent {
    field: '$.rotate.boxes[].commit'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpRotateBoxesSealedFieldEvent {
    field: '$.rotate.boxes[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpRotatePreviousEpochFieldEvent {
    field: '$.rotate.previous[].epoch'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpRotatePreviousNonceFieldEvent {
    field: '$.rotate.previous[].nonce'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpRotatePreviousCommitFieldEvent {
    field: '$.rotate.previous[].commit'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpRotatePreviousSealedFieldEvent {
    field: '$.rotate.previous[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ControlOpRotateCommitFieldEvent {
    field: '$.rotate.commit'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ControlOpSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ControlOp>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ControlOp.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlOp>): ControlOp {
    return decodeMessage(buf, ControlOp.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ControlOp>): Generator<ControlOpVersionFieldEvent | ControlOpDocFieldEvent | ControlOpAuthorFieldEvent | ControlOpCseqFieldEvent | ControlOpHlcFieldEvent | ControlOpGrantSubjectFieldEvent | ControlOpGrantRoleFieldEvent | ControlOpGrantAnchorFieldEvent | ControlOpGrantSupersedesFieldEvent | ControlOpRevokeSubjectFieldEvent | ControlOpRevokeContentCutoffFieldEvent | ControlOpRevokeControlCutoffFieldEvent | ControlOpRevokeRedemptionsFieldEvent | ControlOpInviteInvitePubFieldEvent | ControlOpInviteRoleFieldEvent | ControlOpInviteBoxesRecipientFieldEvent | ControlOpInviteBoxesEphemeralFieldEvent | ControlOpInviteBoxesNonceFieldEvent | ControlOpInviteBoxesCommitFieldEvent | ControlOpInviteBoxesSealedFieldEvent | ControlOpInviteEpochFieldEvent | ControlOpRedeemInviteFieldEvent | ControlOpRedeemInviteSignatureFieldEvent | ControlOpRedeemAnchorFieldEvent | ControlOpWitnessSubjectFieldEvent | ControlOpWitnessSeqFieldEvent | ControlOpRotateNumberFieldEvent | ControlOpRotateBoxesRecipientFieldEvent | ControlOpRotateBoxesEphemeralFieldEvent | ControlOpRotateBoxesNonceFieldEvent | ControlOpRotateBoxesCommitFieldEvent | ControlOpRotateBoxesSealedFieldEvent | ControlOpRotatePreviousEpochFieldEvent | ControlOpRotatePreviousNonceFieldEvent | ControlOpRotatePreviousCommitFieldEvent | ControlOpRotatePreviousSealedFieldEvent | ControlOpRotateCommitFieldEvent | ControlOpSignatureFieldEvent> {
    return streamMessage(buf, ControlOp.codec(), opts)
  }
}
