/** Builders for control ops: what `weft.create`, `invite`, `join` and `revoke` append to a document. */
import { packHlc } from '../clock/hlc.js'
import {
  Role, type ControlOp, type Grant, type Invite, type KeyBox, type Redeem, type Revoke, type Rotate, type Witness,
  type WrappedKey
} from '../wire/trust.js'
import { DOMAIN, controlOpId, redeemProofBytes, seedKey, signAs, signControlOp, type SigningKey } from './signed.js'

export const CONTROL_VERSION = 1
const EMPTY = new Uint8Array(0) as Uint8Array<ArrayBuffer>

export type Body =
  | { grant: Grant } | { revoke: Revoke } | { invite: Invite }
  | { redeem: Redeem } | { witness: Witness } | { rotate: Rotate }

/** Signs `body` as `key` (a raw seed or the peer's signer), at its control seq `cseq`. */
export function controlOp (
  doc: Uint8Array, key: SigningKey | Uint8Array, cseq: number, body: Body, wall = Date.now()
): ControlOp {
  const signer = key instanceof Uint8Array ? seedKey(key) : key
  const op: ControlOp = {
    version: CONTROL_VERSION,
    doc: doc as Uint8Array<ArrayBuffer>,
    author: signer.publicKey as Uint8Array<ArrayBuffer>,
    cseq,
    hlc: packHlc({ wall, logical: 0 }),
    ...body,
    signature: EMPTY
  }
  return signControlOp(op, signer)
}

const b = (x: Uint8Array): Uint8Array<ArrayBuffer> => x as Uint8Array<ArrayBuffer>

export const grant = (subject: Uint8Array, role: Role, anchor = 0, supersedes: Uint8Array[] = []): Body =>
  ({ grant: { subject: b(subject), role, anchor, supersedes: supersedes.map(b) } })

export const revoke = (
  subject: Uint8Array, contentCutoff: number, controlCutoff = 0, redemptions: Uint8Array[] = []
): Body =>
  ({ revoke: { subject: b(subject), contentCutoff, controlCutoff, redemptions: redemptions.map(b) } })

export const invite = (
  invitePub: Uint8Array, role: Role, boxes: KeyBox[] = [], epoch: Uint8Array = new Uint8Array(0)
): Body =>
  ({ invite: { invitePub: b(invitePub), role, boxes, epoch: b(epoch) } })

export const rotate = (number: number, boxes: KeyBox[], previous: WrappedKey[], commit: Uint8Array): Body =>
  ({ rotate: { number, boxes, previous, commit: b(commit) } })

export const witness = (subject: Uint8Array, seq: number): Body => ({ witness: { subject: b(subject), seq } })

/** A joiner's Redeem: the invite key vouches for the joiner's own key. */
export function redeem (
  doc: Uint8Array, inviteOp: ControlOp, inviteSeed: Uint8Array, joiner: Uint8Array, anchor = 0
): Body {
  const inviteId = controlOpId(inviteOp)
  const inviteSignature = signAs(seedKey(inviteSeed), DOMAIN.redeem, redeemProofBytes(doc, inviteId, joiner))
  return { redeem: { invite: b(inviteId), inviteSignature: b(inviteSignature), anchor } }
}

export { Role }
