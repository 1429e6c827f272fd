/**
 * The access state of one private document: its control ops (persisted, never compacted), the
 * ACL they evaluate to, and this peer's own control chain. Implements `AccessPolicy` for sync.
 */
import { ObservableV2 } from 'lib0/observable'
import { sha256 } from '@noble/hashes/sha2.js'
import { fromString as fromHex, toString as toHex } from 'uint8arrays'
import { ControlOp, type KeyBox } from '../wire/trust.js'
import { WireError } from '../wire/codec.js'
import type { Store } from '../store/store.js'
import { evaluateAcl, type AclView, type Member, type RoleName } from './acl.js'
import { controlOp, grant, invite, redeem, revoke, Role, type Body } from './control.js'
import { controlOpId, seedKey, verifyControlOp, type SigningKey } from './signed.js'
import { docPublicKey } from './keys.js'
import { formatLink, inviteKey, newLinkSecret, parseLink, type LinkRole } from './link.js'
import type { AccessPolicy } from './policy.js'
import { Epochs } from './epochs.js'
import { openKey } from './keybox.js'
import type { Kind } from './aead.js'
import { rotate } from './control.js'

/** The peer's key as the trust layer needs it: to sign ops and to open boxes sealed to it. */
export interface PeerKey extends SigningKey {
  withSeed: <T>(fn: (seed: Uint8Array) => T) => T
}

const hex = (b: Uint8Array): string => toHex(b, 'base16')
const MAX_CONTROL_BYTES = 64 * 1024
const ROLE: Record<LinkRole, Role> = { reader: Role.READER, writer: Role.WRITER, pinner: Role.PINNER }

export interface DocAccessEvents {
  /** The ACL changed (`role` is this peer's role now). */
  access: (role: RoleName) => void
  /** A control op this peer made, to be published. */
  issued: (bytes: Uint8Array) => void
}

export class DocAccess extends ObservableV2<DocAccessEvents> implements AccessPolicy {
  private readonly ops = new Map<string, ControlOp>()
  private acl: AclView
  private readonly doc: Uint8Array
  private readonly me: string
  readonly epochs: Epochs
  /** Invite keys this peer redeemed in this session: their boxes open until an admin boxes to us directly. */
  private readonly inviteSeeds: Uint8Array[] = []

  private constructor (readonly docId: string, private readonly store: Store, private readonly signer: PeerKey) {
    super()
    this.doc = docPublicKey(docId)
    this.me = hex(signer.publicKey)
    this.acl = evaluateAcl(this.doc, [])
    this.epochs = new Epochs(this.doc)
  }

  static async load (docId: string, store: Store, signer: PeerKey): Promise<DocAccess> {
    const access = new DocAccess(docId, store, signer)
    for (const bytes of await store.controlOps(docId)) access.addDecoded(ControlOp.decode(bytes), false)
    access.acl = evaluateAcl(access.doc, access.ops.values())
    access.refreshKeys()
    return access
  }

  private rotates (): Map<string, ControlOp> {
    const out = new Map<string, ControlOp>()
    for (const [id, op] of this.ops) if (op.rotate != null && this.acl.issued.has(id)) out.set(id, op)
    return out
  }

  private refreshKeys (): void {
    const invites = [...this.ops].filter(([id, op]) => op.invite != null && this.acl.issued.has(id)).map(([, op]) => op)
    this.epochs.refresh(this.rotates(), invites, box => {
      const mine = this.signer.withSeed(seed => openKey(box, seed, this.doc))
      if (mine !== undefined) return mine
      for (const seed of this.inviteSeeds) {
        const opened = openKey(box, seed, this.doc)
        if (opened !== undefined) return opened
      }
      return undefined
    })
  }

  /**
   * Admins keep the current epoch's recipients equal to the members who may read: a join gives the
   * newcomer its own box, a removal a key the removed member never sees.
   */
  maybeRotate (): void {
    if (this.role !== 'admin' && this.role !== 'root') return
    // Links are single-use: once redeemed, the invite key is revoked (keeping that redemption), so
    // the link's secret, wherever it was pasted, opens no later epoch.
    for (const inv of this.acl.invites()) {
      if (inv.redeemedBy.length === 0) continue
      this.issue(revoke(fromHex(inv.key, 'base16'), 0, 0, inv.redeemedBy.map(id => fromHex(id, 'base16'))))
    }
    const readers = this.acl.members()
      .filter(m => m.role === 'admin' || m.role === 'writer' || m.role === 'reader')
      .map(m => m.key)
    const current = this.epochs.recipients(this.rotates())
    const invitees = this.acl.invites().filter(i => i.role !== 'pinner').map(i => i.key)
    const stale = this.epochs.currentId === undefined || readers.some(k => !current.has(k)) ||
      [...current].some(k => !readers.includes(k) && !invitees.includes(k))
    if (!stale) return
    const body = this.epochs.nextRotate([...readers, ...invitees].map(k => fromHex(k, 'base16')))
    this.issue(rotate(body.number, body.boxes, body.previous, body.commit))
  }

  /** Seals under the current epoch, bound to `who` (author, signer or origin) and `seq` (envelopes). */
  encrypt (kind: Kind, plaintext: Uint8Array, who: Uint8Array, seq = 0): Uint8Array | undefined {
    return this.epochs.encrypt(kind, plaintext, who, seq)
  }

  decrypt (kind: Kind, bytes: Uint8Array, who: Uint8Array, seq = 0): Uint8Array | undefined {
    return this.epochs.decrypt(kind, bytes, who, seq)
  }

  /** False while this peer lacks the key of the epoch `bytes` names (it may still arrive). */
  canRead (bytes: Uint8Array): boolean {
    const epoch = this.epochs.epochOf(bytes)
    return epoch !== undefined && this.epochs.has(epoch)
  }

  /** The creator's first op: the root key makes this peer the document's admin. */
  static genesis (docId: string, rootSeed: Uint8Array, creator: Uint8Array): ControlOp {
    return controlOp(docPublicKey(docId), seedKey(rootSeed), 1, grant(creator, Role.ADMIN))
  }

  get role (): RoleName { return this.acl.roleOf(this.me) }
  /** A pinner stores and serves ciphertext and never gets a content key (see `Replica.blind`). */
  get blind (): boolean { return this.role === 'pinner' }
  canWrite (author: string, seq: number): boolean { return this.acl.canWrite(author, seq) }
  canSignCheckpoint (signer: string): boolean { return this.acl.canSignCheckpoint(signer) }
  settled (): boolean { return this.acl.issued.size > 0 }
  isMember (key: string): boolean { const r = this.acl.roleOf(key); return r !== 'none' && r !== 'root' }
  members (): Member[] { return this.acl.members() }
  encodedOps (): Uint8Array[] { return [...this.ops.values()].map(op => ControlOp.encode(op)) }

  private digestCache: Uint8Array | undefined
  /** SHA-256 over the sorted ids of the ops held: two peers with equal digests hold the same set. */
  digest (): Uint8Array {
    this.digestCache ??= sha256(fromHex([...this.ops.keys()].sort().join(''), 'base16'))
    return this.digestCache
  }

  /**
   * Takes a control op from the network. Throws `WireError` for ops that are malformed, badly
   * signed, for another document, or from a key with no standing at all (outsiders' spam);
   * returns whether it was new.
   */
  receive (bytes: Uint8Array): boolean {
    if (bytes.byteLength > MAX_CONTROL_BYTES) throw new WireError('oversized', 'control op too large')
    let op: ControlOp
    try {
      op = ControlOp.decode(bytes)
    } catch (err: any) {
      throw new WireError('malformed', `control op does not decode: ${err?.message ?? err}`)
    }
    if (hex(op.doc) !== hex(this.doc)) throw new WireError('wrong-document', 'control op for another document')
    // Held already (its id covers everything but the signature): no signature to check again.
    if (this.ops.has(hex(controlOpId(op)))) return false
    if (!verifyControlOp(op)) throw new WireError('bad-signature', 'control op signature does not verify')
    const author = hex(op.author)
    const standing = author === hex(this.doc) || op.redeem != null ||
      this.acl.roleOf(author) !== 'none' || this.knownAuthor(author)
    if (!standing) {
      throw new WireError('unauthorized', 'control op from a key with no role')
    }
    return this.addDecoded(op, true)
  }

  private knownAuthor (author: string): boolean {
    // A revoked member's ops up to its control cutoff still count: keep taking them.
    for (const op of this.ops.values()) if (op.grant != null && hex(op.grant.subject) === author) return true
    return false
  }

  private addDecoded (op: ControlOp, evaluate: boolean): boolean {
    const id = hex(controlOpId(op))
    if (this.ops.has(id)) return false
    this.ops.set(id, op)
    this.digestCache = undefined
    if (evaluate) {
      void this.store.putControlOp(this.docId, id, ControlOp.encode(op))
      const before = this.role
      const members = JSON.stringify(this.acl.members())
      this.acl = evaluateAcl(this.doc, this.ops.values())
      this.refreshKeys()
      if (before !== this.role || members !== JSON.stringify(this.acl.members())) this.emit('access', [this.role])
    }
    return true
  }

  /** Appends an op signed by this peer (or by `key`) to the document and publishes it. */
  issue (body: Body, key: SigningKey = this.signer): ControlOp {
    const author = hex(key.publicKey)
    let cseq = 0
    for (const op of this.ops.values()) if (hex(op.author) === author) cseq = Math.max(cseq, op.cseq)
    const op = controlOp(this.doc, key, cseq + 1, body)
    const bytes = ControlOp.encode(op)
    this.addDecoded(op, true)
    this.emit('issued', [bytes])
    return op
  }

  /** An invite link for `role`: an Invite op for a fresh key, and the secret in the link's fragment. */
  invite (role: LinkRole, peers: string[]): string {
    if (this.role !== 'admin' && this.role !== 'root') {
      throw new Error(`only an admin can invite (this peer is ${this.role})`)
    }
    const secret = newLinkSecret()
    const key = inviteKey(secret, this.docId).publicKey
    // Pinners store ciphertext and never get a content key.
    const { boxes, epoch } = role === 'pinner'
      ? { boxes: [], epoch: new Uint8Array(0) as Uint8Array }
      : this.epochs.boxCurrent(key)
    this.issue(invite(key, ROLE[role], boxes as KeyBox[], epoch))
    return formatLink({ docId: this.docId, role, secret, peers })
  }

  /** Redeems a link once its Invite op is here; false while it is not (yet). */
  redeem (link: string, anchor: number): boolean {
    const { secret } = parseLink(link)
    if (secret === undefined || this.role !== 'none') return this.role !== 'none'
    const key = inviteKey(secret, this.docId)
    const wanted = hex(key.publicKey)
    const inviteOp = [...this.ops.values()].find(op => op.invite != null && hex(op.invite.invitePub) === wanted)
    if (inviteOp === undefined) return false
    this.inviteSeeds.push(key.seed)
    this.refreshKeys()
    this.issue(redeem(this.doc, inviteOp, key.seed, this.signer.publicKey, anchor))
    return true
  }

  /** Revokes `member` (hex key) at the last seq of it this peer holds. */
  revoke (member: string, contentCutoff: number): void {
    if (this.role !== 'admin' && this.role !== 'root') {
      throw new Error(`only an admin can revoke (this peer is ${this.role})`)
    }
    let controlCutoff = 0
    for (const op of this.ops.values()) if (hex(op.author) === member) controlCutoff = Math.max(controlCutoff, op.cseq)
    this.issue(revoke(fromHex(member, 'base16'), contentCutoff, controlCutoff))
  }
}
